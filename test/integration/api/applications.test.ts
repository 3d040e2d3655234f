import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRIC_NAMES } from "../../../src/metrics/index.js";
import { applyApplication, configMapYAML, conditionOf, waitForApp } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace, getJSON, waitFor } from "../../support/kube.js";
import { api, startApiOperator, type ApiOperator } from "./harness.js";

const CANARY = "canary-Zq9vX2-never-leak";
const CANARY2 = "canary-Wm4tR7-never-leak";
const secretYAML = (value: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-secret\ntype: Opaque\nstringData:\n  password: ${value}\n`;
const leaks = (text: string) => [CANARY, CANARY2].some((c) => text.includes(c) || text.includes(Buffer.from(c).toString("base64")));

let git: GitServer;
let op: ApiOperator;
let ns: string;
let repoURL: string;
let v1: string;
let v2: string;

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("api-apps");
  op = await startApiOperator({ namespace: ns, flags: { "api-auth": "none" } });
  repoURL = await git.createRepo("config");
  v1 = await git.commit("config", { files: { "web/cm.yaml": configMapYAML("web-config", { color: "blue" }), "web/secret.yaml": secretYAML(CANARY) } });
  // manual: nothing is applied until someone asks
  await applyApplication({ namespace: ns, name: "web", spec: { source: { repoURL, path: "web" }, destination: { namespace: ns }, interval: "1h" } });
  await waitForApp(ns, "web", (a) => a.status?.sync?.status === "OutOfSync", { what: "web OutOfSync" });
});

afterAll(async () => {
  await op?.stop();
  await git?.stop();
});

const base = () => `${op.url}/api/v1/applications/${ns}/web`;
const post = (path: string, body?: unknown) => api(`${base()}${path}`, { method: "POST", headers: { "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
const liveColor = async () => (await getJSON<{ data: { color: string } }>(["configmap", "web-config", "-n", ns]))?.data.color;

describe("HTTP API against the cluster", () => {
  it("lists and shows the app with its sync and health", async () => {
    const list = await api(`${op.url}/api/v1/applications`);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ namespace: ns, name: "web", sync: expect.objectContaining({ status: "OutOfSync" }), automated: false })]);
    const one = await api(base());
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: "web", spec: { source: { repoURL, path: "web" }, automated: null }, status: { sync: { status: "OutOfSync" } } });
  });

  it("diffs live against Git without ever showing a Secret value", async () => {
    const res = await api(`${base()}/diff`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revision: v1, inSync: false });
    const resources = res.body.resources as { kind: string; action: string; diff: string }[];
    expect(resources.map((r) => `${r.kind}:${r.action}`).sort()).toEqual(["ConfigMap:create", "Secret:create"]);
    expect(resources.find((r) => r.kind === "ConfigMap")!.diff).toContain("+  color: blue");
    expect(resources.find((r) => r.kind === "Secret")!.diff).toContain("password: +++redacted+++");
    expect(leaks(JSON.stringify(res.body))).toBe(false);
  });

  it("syncs a manual app on POST .../sync", async () => {
    const res = await post("/sync");
    expect(res.status).toBe(202);
    await waitForApp(ns, "web", (a) => conditionOf(a, "Ready")?.status === "True" && a.status?.sync?.revision === v1, { what: "web Ready at v1" });
    expect(await liveColor()).toBe("blue");
    const diff = await api(`${base()}/diff`);
    expect(diff.body).toMatchObject({ inSync: true });
  });

  it("shows a changed Secret as changed, still redacted, and a changed ConfigMap line by line", async () => {
    v2 = await git.commit("config", { files: { "web/cm.yaml": configMapYAML("web-config", { color: "green" }), "web/secret.yaml": secretYAML(CANARY2) } });
    const res = await api(`${base()}/diff`);
    expect(res.body).toMatchObject({ revision: v2, inSync: false });
    const resources = res.body.resources as { kind: string; action: string; diff: string }[];
    const cm = resources.find((r) => r.kind === "ConfigMap")!;
    expect(cm.action).toBe("update");
    expect(cm.diff).toContain("-  color: blue");
    expect(cm.diff).toContain("+  color: green");
    const secret = resources.find((r) => r.kind === "Secret")!;
    expect(secret.action).toBe("update");
    expect(secret.diff).toContain("+++redacted-new+++");
    expect(leaks(JSON.stringify(res.body))).toBe(false);
    expect(await post("/sync")).toMatchObject({ status: 202 });
    await waitForApp(ns, "web", (a) => conditionOf(a, "Ready")?.status === "True" && a.status?.sync?.revision === v2, { what: "web Ready at v2" });
    expect(await liveColor()).toBe("green");
  });

  it("rolls back to a history id, and refuses unknown ids and bad bodies", async () => {
    const app = await waitForApp(ns, "web", (a) => (a.status?.history ?? []).length >= 2, { what: "two history entries" });
    const first = app.status!.history!.find((h) => h.revision === v1)!;
    expect((await post("/rollback", { id: 999 })).status).toBe(404);
    expect((await post("/rollback", { revision: "v1" })).status).toBe(400);
    const res = await post("/rollback", { id: first.id });
    expect(res).toMatchObject({ status: 202, body: { revision: v1 } });
    await waitFor(async () => (await liveColor()) === "blue", { what: "ConfigMap back to blue", timeoutMs: 60_000 });
    const after = await waitForApp(ns, "web", (a) => a.status?.history?.[0]?.trigger === "Rollback", { what: "rollback in history" });
    expect(after.status?.history?.[0]?.revision).toBe(v1);
  });

  it("exposes the documented metrics after a sync", async () => {
    const res = await fetch(`${op.url}/metrics`);
    const text = await res.text();
    for (const name of METRIC_NAMES) expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, "m"));
    expect(text).toMatch(/^plumb_sync_total\{result="applied"\} [1-9]/m);
    expect(text).toMatch(/^plumb_apply_total\{kind="ConfigMap",action="(create|update)"\} [1-9]/m);
    expect(text).toContain(`plumb_app_sync_status{namespace="${ns}",name="web",status="Synced"}`);
    expect(text).toMatch(/^plumb_kube_api_requests_total\{verb="DRYRUN",resource="[a-z.]+"\} [1-9]/m);
    expect(text).toMatch(/^plumb_git_operation_duration_seconds_count\{operation="fetch",result="success"\} [1-9]/m);
    expect(text).toMatch(/^plumb_git_requests_total [1-9]/m);
    expect(leaks(text)).toBe(false);
  });

  it("never logged a Secret value", () => {
    expect(leaks(op.logs.join(""))).toBe(false);
  });
});
