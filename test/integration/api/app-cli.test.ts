import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runApp } from "../../../src/cli/app.js";
import { applyApplication, configMapYAML, deploymentYAML, waitForApp } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace, getJSON } from "../../support/kube.js";
import { scratchDir } from "../../support/scratch.js";
import { serviceAccountToken } from "../../support/tokens.js";
import { startApiOperator, type ApiOperator } from "./harness.js";

let git: GitServer;
let op: ApiOperator;
let ns: string;
let editor: string;
let viewer: string;
let v1: string;
let v2: string;

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("cli-app");
  op = await startApiOperator({ namespace: ns, flags: { "api-auth": "kubernetes" } });
  const repoURL = await git.createRepo("config");
  v1 = await git.commit("config", {
    files: {
      "web/cm.yaml": configMapYAML("web-config", { color: "blue" }),
      // never Ready: the rollout hangs, the Deployment reports ProgressDeadlineExceeded after 5 s
      "broken/deploy.yaml": deploymentYAML("stuck", { replicas: 1, progressDeadlineSeconds: 5, podLabels: { "kwok.plumb.dev/ready": "false" } }),
    },
  });
  // both manual: only the CLI syncs them
  await applyApplication({ namespace: ns, name: "web", spec: { source: { repoURL, path: "web" }, destination: { namespace: ns }, interval: "1h" } });
  await applyApplication({ namespace: ns, name: "broken", spec: { source: { repoURL, path: "broken" }, destination: { namespace: ns }, interval: "1h", rollout: { timeout: "20s" } } });
  await waitForApp(ns, "web", (a) => a.status?.sync?.status === "OutOfSync", { what: "web OutOfSync" });
  [editor, viewer] = await Promise.all([serviceAccountToken(ns, "editor", ["get", "list", "update"]), serviceAccountToken(ns, "viewer", ["get", "list"])]);
});

afterAll(async () => {
  await op?.stop();
  await git?.stop();
});

/** Runs `plumb app ARGS` in-process against the operator; `token` undefined sends none. */
async function plumbApp(args: string[], opts: { token?: string | null; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c: Buffer) => out.push(c.toString()));
  stderr.on("data", (c: Buffer) => err.push(c.toString()));
  const token = opts.token === undefined ? editor : opts.token;
  const env = { PLUMB_SERVER: op.url, KUBECONFIG: "/nonexistent", ...(token ? { PLUMB_TOKEN: token } : {}), ...opts.env };
  const code = await runApp(args, { stdin: Readable.from([]), stdout, stderr }, env);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("plumb app against the operator", () => {
  it("lists apps as a table and as JSON", async () => {
    const table = await plumbApp(["list"]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s+SYNC\s+HEALTH\s+REVISION\s+LAST SYNC\s+MESSAGE$/);
    expect(table.stdout).toMatch(new RegExp(`^${ns}\\s+web\\s+OutOfSync\\s`, "m"));
    const json = await plumbApp(["list", "-o", "json"]);
    expect((JSON.parse(json.stdout) as { items: { name: string }[] }).items.map((i) => i.name)).toEqual(["broken", "web"]);
    const yaml = await plumbApp(["list", "-o", "yaml"]);
    expect(yaml.stdout).toContain("name: web");
  });

  it("shows a diff and exits 1 while the app differs from Git", async () => {
    const run = await plumbApp(["diff", `${ns}/web`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("+  color: blue");
  });

  it("syncs with --wait and exits 0 once the app is Ready", async () => {
    const run = await plumbApp(["sync", `${ns}/web`, "--wait", "--timeout", "2m"]);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/Ready at [0-9a-f]{7}/);
    expect((await getJSON<{ data: { color: string } }>(["configmap", "web-config", "-n", ns]))?.data.color).toBe("blue");
    expect((await plumbApp(["diff", `${ns}/web`])).code).toBe(0);
    expect((await plumbApp(["wait", `${ns}/web`, "--timeout", "30s"])).code).toBe(0);
  });

  it("syncs a failing rollout with --wait and exits 1 naming why", async () => {
    const run = await plumbApp(["sync", `${ns}/broken`, "--wait", "--timeout", "3m", "-o", "json"]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { result: string; reason: string; application: { name: string; health: { status: string } } };
    expect(out.result).toBe("failed");
    expect(out.reason).toMatch(/stuck/);
    expect((await plumbApp(["wait", `${ns}/broken`, "--timeout", "10s"])).code).toBe(1);
  }, 240_000);

  it("gets one app with its resources and conditions", async () => {
    const run = await plumbApp(["get", `${ns}/web`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ConfigMap\s+\S+\s+web-config\s+Synced\s+Healthy/);
    expect(run.stdout).toMatch(/Ready\s+True\s+Succeeded/);
    const json = JSON.parse((await plumbApp(["get", `${ns}/web`, "-o", "json"])).stdout) as { name: string; sync: { revision: string } };
    expect(json).toMatchObject({ name: "web", sync: { revision: v1 } });
  });

  it("shows history and rolls back to an entry", async () => {
    v2 = await git.commit("config", { files: { "web/cm.yaml": configMapYAML("web-config", { color: "green" }) } });
    expect((await plumbApp(["sync", `${ns}/web`, "--wait", "--timeout", "2m"])).code).toBe(0);
    const history = JSON.parse((await plumbApp(["history", `${ns}/web`, "-o", "json"])).stdout) as { history: { id: number; revision: string }[] };
    expect(history.history.map((h) => h.revision)).toEqual([v2, v1]);
    const table = await plumbApp(["history", `${ns}/web`]);
    expect(table.stdout).toMatch(new RegExp(`^1\\s+${v1.slice(0, 7)}\\s`, "m"));
    const first = history.history.find((h) => h.revision === v1)!;
    const run = await plumbApp(["rollback", `${ns}/web`, String(first.id)]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`rollback to ${v1.slice(0, 7)} requested`);
    await waitForApp(ns, "web", (a) => a.status?.history?.[0]?.trigger === "Rollback" && a.status.sync?.revision === v1, { what: "rolled back to v1" });
    // pinned to an older commit than Git's head: not Ready, and wait says why
    const after = await plumbApp(["wait", `${ns}/web`, "--timeout", "1m"]);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain("RolledBack");
  });

  it("exits 3 without a token, with a bad one, and when the token may not update", async () => {
    expect((await plumbApp(["list"], { token: null })).code).toBe(3);
    expect((await plumbApp(["get", `${ns}/web`], { token: "not-a-token" })).code).toBe(3);
    const denied = await plumbApp(["sync", `${ns}/web`], { token: viewer });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain(`Forbidden: system:serviceaccount:${ns}:viewer may not update`);
    expect((await plumbApp(["get", `${ns}/web`], { token: viewer })).code).toBe(0);
  });

  it("takes the token of the current kubeconfig user when none is given", async () => {
    const kubeconfig = join(scratchDir("plumb-cli-kc-"), "config");
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: "v1", kind: "Config", "current-context": "c",
      clusters: [{ name: "k", cluster: { server: "https://127.0.0.1:1" } }],
      users: [{ name: "u", user: { token: viewer } }],
      contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
    }));
    const run = await plumbApp(["get", `${ns}/web`, "--kubeconfig", kubeconfig], { token: null });
    expect(run, run.stderr).toMatchObject({ code: 0 });
  });

  it("exits 2 on usage errors and 1 for an app that does not exist", async () => {
    expect((await plumbApp([])).code).toBe(2);
    expect((await plumbApp(["get", "no-slash"])).code).toBe(2);
    expect((await plumbApp(["frobnicate"])).code).toBe(2);
    expect((await plumbApp(["list", "-o", "xml"])).code).toBe(2);
    expect((await plumbApp(["rollback", `${ns}/web`, "HEAD"])).code).toBe(2);
    expect((await plumbApp(["wait", `${ns}/web`, "--timeout", "soon"])).code).toBe(2);
    const missing = await plumbApp(["get", `${ns}/nope`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("NotFound");
  });
});
