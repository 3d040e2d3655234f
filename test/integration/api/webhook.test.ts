import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../../src/api/index.js";
import { applyApplication, conditionOf, configMapYAML, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace, getJSON, waitFor } from "../../support/kube.js";
import { api, recordWrites, startApiOperator, type ApiOperator } from "./harness.js";

const SECRET = "webhook-test-secret";
let git: GitServer;
let op: ApiOperator;
let ns: string;
let repoURL: string;
let otherURL: string;

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("api-hook");
  op = await startApiOperator({ namespace: ns, flags: { "api-auth": "none", "webhook-secret": SECRET } });
  repoURL = await git.createRepo("mono");
  otherURL = await git.createRepo("other");
  const rev = await git.commit("mono", { files: { "a/cm.yaml": configMapYAML("a-config", { v: "1" }), "b/cm.yaml": configMapYAML("b-config", { v: "1" }) } });
  const otherRev = await git.commit("other", { files: { "c/cm.yaml": configMapYAML("c-config", { v: "1" }) } });
  // an hour between polls: only the webhook can make these apps notice a push quickly
  const spec = (url: string, path: string) => ({ source: { repoURL: url, path }, destination: { namespace: ns }, interval: "1h", syncPolicy: { automated: { prune: true, selfHeal: true } } });
  await applyApplication({ namespace: ns, name: "a", spec: spec(repoURL, "a") });
  await applyApplication({ namespace: ns, name: "b", spec: spec(repoURL, "b") });
  await applyApplication({ namespace: ns, name: "c", spec: spec(otherURL, "c") });
  await Promise.all([waitForReady(ns, "a", rev), waitForReady(ns, "b", rev), waitForReady(ns, "c", otherRev)]);
});

afterAll(async () => {
  await op?.stop();
  await git?.stop();
});

/** Sends a GitHub push webhook for `sha` on main of the mono repo. */
function pushHook(sha: string, secret = SECRET) {
  const body = JSON.stringify({ ref: "refs/heads/main", after: sha, repository: { clone_url: repoURL, html_url: repoURL.replace(/\.git$/, ""), default_branch: "main" } });
  return api(`${op.url}/api/v1/webhooks/git`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": signBody(secret, body) }, body });
}
const appState = (name: string) => op.running.parts.apps.get(ns, name);
const readyAt = (name: string, sha: string) => conditionOf(appState(name), "Ready")?.status === "True" && appState(name)?.status?.sync?.revision === sha;

describe("Git webhook against the cluster", () => {
  it("refuses a push signed with the wrong secret and syncs nothing", async () => {
    const sha = await git.commit("mono", { files: { "a/cm.yaml": configMapYAML("a-config", { v: "bad" }) } });
    const res = await pushHook(sha, "wrong-secret");
    expect(res).toMatchObject({ status: 401, body: { error: { code: "InvalidSignature" } } });
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await getJSON<{ data: { v: string } }>(["configmap", "a-config", "-n", ns]))?.data.v).toBe("1");
  });

  it("syncs exactly the apps of the pushed repository; the app whose path did not change gets no object writes", async () => {
    const sha = await git.commit("mono", { files: { "a/cm.yaml": configMapYAML("a-config", { v: "2" }) } });
    const pushedAt = performance.now();
    const recorder = recordWrites(op);
    const res = await pushHook(sha);
    expect(res.status).toBe(202);
    expect((res.body.refreshed as { name: string }[]).map((a) => a.name).sort()).toEqual(["a", "b"]);
    await waitFor(() => readyAt("a", sha), { what: "a Ready at the pushed commit", timeoutMs: 60_000, intervalMs: 20 });
    const latencyMs = performance.now() - pushedAt;
    await waitFor(() => readyAt("b", sha), { what: "b reconciled at the pushed commit", timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1_000)); // let any stray write land before counting
    recorder.stop();
    console.log(`push-to-Ready latency via webhook: ${latencyMs.toFixed(0)} ms`);
    console.log(`writes after the push: ${JSON.stringify(recorder.writes.map((w) => `${w.method}${w.dryRun ? "(dry)" : ""} ${w.path}${w.eventFor ? ` for ${w.eventFor}` : ""}`))}`);

    expect((await getJSON<{ data: { v: string } }>(["configmap", "a-config", "-n", ns]))?.data.v).toBe("2");
    const touchesB = recorder.writes.filter((w) => w.path.includes("/configmaps/b-config") || w.eventFor === "b");
    expect(touchesB).toEqual([]);
    // b's only write is its status moving to the new commit (sync.revision), a single merge patch
    const bStatus = recorder.writes.filter((w) => w.path.endsWith(`/applications/b/status`));
    expect(bStatus.length).toBeLessThanOrEqual(1);
    // the app of another repository was not touched at all
    expect(recorder.writes.filter((w) => w.path.includes("/c-config") || w.path.includes("/applications/c/") || w.eventFor === "c")).toEqual([]);
    expect(recorder.writes.some((w) => w.method === "PATCH" && !w.dryRun && w.path.includes("/configmaps/a-config"))).toBe(true);
  });

  it("makes no object writes at all for a push that changes neither app's path", async () => {
    const sha = await git.commit("mono", { files: { "README.md": "docs only\n" } });
    const recorder = recordWrites(op);
    expect((await pushHook(sha)).status).toBe(202);
    await waitFor(() => readyAt("a", sha) && readyAt("b", sha), { what: "both apps at the docs commit", timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    recorder.stop();
    const objectWrites = recorder.writes.filter((w) => !w.path.includes("/applications/") && !w.path.endsWith("/events"));
    expect(objectWrites).toEqual([]);
    expect(recorder.writes.filter((w) => w.path.endsWith("/events"))).toEqual([]);
  });
});
