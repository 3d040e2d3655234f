import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../../src/api/index.js";
import { applyApplication } from "../../support/apps.js";
import { createNamespace, KUBECONFIG, REPO, waitFor } from "../../support/kube.js";
import { scratchDir } from "../../support/scratch.js";

type LogLine = Record<string, unknown> & { msg?: string };

let ns: string;
beforeAll(async () => {
  ns = await createNamespace("api-proc");
  await applyApplication({ namespace: ns, name: "listed", spec: { source: { repoURL: "http://127.0.0.1:9/nowhere.git" }, destination: { namespace: ns }, interval: "1h" } });
});

/** `plumb operator` from src/cli/main.ts as its own process, with a clean environment. */
function startPlumbOperator(env: Record<string, string>, flags: Record<string, string> = {}) {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PLUMB_") && !k.startsWith("KUBERNETES_")) clean[k] = v;
  const all = { kubeconfig: KUBECONFIG, namespace: ns, "leader-elect": "false", listen: "127.0.0.1:0", "cache-dir": scratchDir("plumb-proc-"), ...flags };
  const args = ["--import", join(REPO, "hack/ts-register.mjs"), join(REPO, "src/cli/main.ts"), "operator", ...Object.entries(all).map(([k, v]) => `--${k}=${v}`)];
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...clean, NODE_NO_WARNINGS: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const logs: LogLine[] = [];
  let partial = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) logs.push(line.startsWith("{") ? (JSON.parse(line) as LogLine) : { msg: line });
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, logs, exited, stderr: () => stderr };
}

let proc: ReturnType<typeof startPlumbOperator> | undefined;
afterAll(async () => {
  if (proc && proc.child.exitCode === null) proc.child.kill("SIGKILL");
});

describe("plumb operator as a process", () => {
  it("serves the API from PLUMB_* settings, turns ready once synced, and exits 0 on SIGTERM", async () => {
    proc = startPlumbOperator({ PLUMB_API_AUTH: "none", PLUMB_WEBHOOK_SECRET: "proc-secret", PLUMB_LOG_LEVEL: "info" });
    const p = proc;
    const listening = await waitFor(() => p.logs.find((l) => l.msg === "HTTP API listening") ?? (p.child.exitCode !== null ? Promise.reject(new Error(p.stderr())) : undefined), { timeoutMs: 60_000, what: "API listening" });
    const url = String(listening.url);
    expect(listening).toMatchObject({ auth: "none", webhook: true });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { what: "/readyz 200" });
    const list = (await (await fetch(`${url}/api/v1/applications`)).json()) as { items: { name: string }[] };
    expect(list.items.map((i) => i.name)).toEqual(["listed"]);
    const body = JSON.stringify({ repoURL: "http://127.0.0.1:9/nowhere.git" });
    const hook = await fetch(`${url}/api/v1/webhooks/git`, { method: "POST", headers: { "x-plumb-signature": signBody("proc-secret", body) }, body });
    expect(hook.status).toBe(202);

    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(p.logs.map((l) => l.msg)).toContain("stopped");
  });

  it("refuses bad settings with one line on stderr and exit 2", async () => {
    const bad = startPlumbOperator({ PLUMB_API_AUTH: "none" }, { listen: "0.0.0.0:0" });
    setTimeout(() => bad.child.kill("SIGKILL"), 30_000).unref();
    expect(await bad.exited).toBe(2);
    expect(bad.stderr().trim().split("\n")).toHaveLength(1);
    expect(bad.stderr()).toMatch(/PLUMB_API_AUTH=none is refused/);
  });
});
