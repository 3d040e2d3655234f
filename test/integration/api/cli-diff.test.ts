import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { runDiff } from "../../../src/cli/diff.js";
import { configMapYAML } from "../../support/apps.js";
import { createNamespace, KUBECONFIG, kubectl } from "../../support/kube.js";
import { scratchDir } from "../../support/scratch.js";

const CANARY = "cli-canary-Hx81-never-print";
const CANARY2 = "cli-canary-Pq27-never-print";
const secretYAML = (value: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: ${value}\n`;

let ns: string;
let dir: string;

beforeAll(async () => {
  ns = await createNamespace("cli-diff");
  dir = scratchDir("plumb-diff-");
  writeFileSync(join(dir, "cm.yaml"), configMapYAML("settings", { mode: "fast" }));
  writeFileSync(join(dir, "secret.yaml"), secretYAML(CANARY));
});

async function plumbDiff(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c: Buffer) => out.push(c.toString()));
  stderr.on("data", (c: Buffer) => err.push(c.toString()));
  const code = await runDiff(args, { stdin: Readable.from([]), stdout, stderr });
  return { code, stdout: out.join(""), stderr: err.join("") };
}
const leaks = (text: string) => [CANARY, CANARY2].some((c) => text.includes(c) || text.includes(Buffer.from(c).toString("base64")));

describe("plumb diff", () => {
  it("shows objects that do not exist yet as created and exits 1", async () => {
    const run = await plumbDiff([dir, "--kubeconfig", KUBECONFIG, "--namespace", ns]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`+++ desired//ConfigMap/${ns}/settings`);
    expect(run.stdout).toContain("+  mode: fast");
    expect(run.stdout).toContain("token: +++redacted+++");
    expect(leaks(run.stdout + run.stderr)).toBe(false);
  });

  it("exits 0 once the cluster matches, and 1 with a line diff after a change, never printing Secret values", async () => {
    await kubectl(["apply", "--server-side", "--field-manager=plumb", "-n", ns, "-f", dir]);
    const same = await plumbDiff([dir, "--kubeconfig", KUBECONFIG, "--namespace", ns]);
    expect(same).toMatchObject({ code: 0, stdout: "" });
    writeFileSync(join(dir, "cm.yaml"), configMapYAML("settings", { mode: "safe" }));
    writeFileSync(join(dir, "secret.yaml"), secretYAML(CANARY2));
    const changed = await plumbDiff([dir, "--kubeconfig", KUBECONFIG, "--namespace", ns]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain("-  mode: fast");
    expect(changed.stdout).toContain("+  mode: safe");
    expect(changed.stdout).toContain("+++redacted-new+++");
    expect(leaks(changed.stdout + changed.stderr)).toBe(false);
  });

  it("prints JSON patches with -o json", async () => {
    const run = await plumbDiff([dir, "--kubeconfig", KUBECONFIG, "--namespace", ns, "-o", "json"]);
    expect(run.code).toBe(1);
    const { resources } = JSON.parse(run.stdout) as { resources: { kind: string; action: string; patch: { op: string; path: string; value?: unknown }[] }[] };
    const cm = resources.find((r) => r.kind === "ConfigMap")!;
    expect(cm).toMatchObject({ action: "update", patch: [{ op: "replace", path: "/data/mode", value: "safe" }] });
    expect(leaks(run.stdout)).toBe(false);
  });

  it("exits 2 naming the file and line when DIR does not render", async () => {
    const bad = scratchDir("plumb-diff-bad-");
    writeFileSync(join(bad, "broken.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n");
    const run = await plumbDiff([bad, "--kubeconfig", KUBECONFIG, "--namespace", ns]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/broken\.yaml/);
  });
});
