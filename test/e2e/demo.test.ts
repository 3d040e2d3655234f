import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { REPO } from "../support/kube.js";

const run = promisify(execFile);

// `make demo` end to end (against the already running test cluster): the
// sample app becomes Ready, a webhook-announced change rolls out, and a broken
// rollout is rolled back. Needs `npm run build` (make test does it first).
it("runs the demo story to the end", async () => {
  const { stdout } = await run(process.execPath, ["--import", "./hack/ts-register.mjs", "hack/demo.ts"], {
    cwd: REPO,
    env: { ...process.env, PLUMB_DEMO_EXIT: "1", PLUMB_DEMO_PORT: "18089" },
    timeout: 400_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  expect(stdout).toMatch(/Ready in \d+ ms/);
  expect(stdout).toMatch(/push → Ready in \d+ ms/);
  expect(stdout).toContain("(RolledBack)");
  expect(stdout).toContain("registry.example/guestbook:v2");
  expect(stdout).toContain("stopping what the demo started");
}, 420_000);
