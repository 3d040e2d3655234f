import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApplication, configMapYAML, waitForApp } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { adminRest, createNamespace } from "../../support/kube.js";
import { openStream, type SseClient } from "../../support/sse.js";
import { serviceAccountToken } from "../../support/tokens.js";
import { api, startApiOperator, type ApiOperator } from "./harness.js";

let git: GitServer;
let op: ApiOperator;
let ns: string;
let viewer: string;
let outsider: string;
const streams: SseClient[] = [];

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("api-stream");
  op = await startApiOperator({ namespace: ns, flags: { "api-auth": "kubernetes" } });
  const repoURL = await git.createRepo("config");
  await git.commit("config", { files: { "web/cm.yaml": configMapYAML("web-config", { color: "blue" }) } });
  // manual: nothing changes until the test asks
  await applyApplication({ namespace: ns, name: "web", spec: { source: { repoURL, path: "web" }, destination: { namespace: ns }, interval: "1h" } });
  await waitForApp(ns, "web", (a) => a.status?.sync?.status === "OutOfSync", { what: "web OutOfSync" });
  // real tokens: one with get/list/update on Applications in ns, one with no rights at all
  [viewer, outsider] = await Promise.all([serviceAccountToken(ns, "viewer", ["get", "list", "update"]), serviceAccountToken(ns, "outsider")]);
});

afterAll(async () => {
  for (const s of streams) s.close();
  await op?.stop();
  await git?.stop();
});

async function open(token?: string): Promise<SseClient> {
  const s = await openStream(`${op.url}/api/v1/stream`, token);
  streams.push(s);
  return s;
}
const data = (e: { data: string }) => JSON.parse(e.data) as { name: string; sync?: { status: string }; operationPhase?: string; items?: { name: string }[] };

describe("GET /api/v1/stream against the cluster with real tokens", () => {
  it("answers 401 without a token or with a forged one", async () => {
    expect((await api(`${op.url}/api/v1/stream`)).status).toBe(401);
    expect((await open(`${viewer.slice(0, -4)}AAAA`)).status).toBe(401);
  });

  it("streams an app's changes to a token that may get it, and nothing of it to one that may not", async () => {
    const seeing = await open(viewer);
    const blind = await open(outsider);
    expect([seeing.status, blind.status]).toEqual([200, 200]);
    const snap = await seeing.next((e) => e.event === "snapshot", { what: "viewer's snapshot" });
    expect(data(snap).items!.map((i) => i.name)).toEqual(["web"]);
    const blindSnap = await blind.next((e) => e.event === "snapshot", { what: "outsider's snapshot" });
    expect(data(blindSnap).items).toEqual([]);

    // a metadata change: the latency of the stream itself (informer → SSE)
    const rest = adminRest();
    const t0 = Date.now();
    await rest.request({ method: "PATCH", path: `/apis/plumb.dev/v1alpha1/namespaces/${ns}/applications/web`, contentType: "application/merge-patch+json", body: { metadata: { annotations: { "test.plumb.dev/poke": String(t0) } } } });
    const poked = await seeing.next((e) => e.event === "changed" && e.at >= t0, { timeoutMs: 30_000, what: "changed after a patch" });
    rest.close();
    const patchLatency = poked.at - t0;

    // a status change made by the operator: a sync asked for through the API
    const t1 = Date.now();
    expect((await api(`${op.url}/api/v1/applications/${ns}/web/sync`, { method: "POST", headers: { authorization: `Bearer ${viewer}` } })).status).toBe(202);
    const running = await seeing.next((e) => e.event === "changed" && e.at >= t1 && data(e).operationPhase !== undefined, { timeoutMs: 60_000, what: "operation status" });
    const statusLatency = running.at - t1;
    await seeing.next((e) => e.event === "changed" && data(e).sync?.status === "Synced", { timeoutMs: 90_000, what: "Synced" });
    console.log(`SSE latency: annotation patch → changed event ${patchLatency} ms; sync request → first status event ${statusLatency} ms`);
    expect(patchLatency).toBeLessThan(30_000);

    // the outsider saw the same seconds of changes and got none of them
    await new Promise((r) => setTimeout(r, 1_000));
    expect(blind.events.map((e) => e.event)).toEqual(["snapshot"]);
    expect(blind.events.map((e) => e.data).join("")).not.toContain('"web"');
  });
});
