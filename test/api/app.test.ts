import { afterEach, describe, expect, it } from "vitest";
import { PlumbError, RenderError } from "../../src/errors.js";
import { call, makeApp, startFakeApi, type FakeApi } from "./fakes.js";

const SHA1 = "1".repeat(40);
const SHA2 = "2".repeat(40);
const history = [
  { id: 2, revision: SHA2, deployedAt: "2025-01-02T00:00:00Z", health: "Degraded" as const, trigger: "Automated" as const },
  { id: 1, revision: SHA1, deployedAt: "2025-01-01T00:00:00Z", health: "Healthy" as const, trigger: "Automated" as const },
];
const web = makeApp({
  namespace: "team-a",
  name: "web",
  repoURL: "https://user:hunter2@git.example.com/org/config.git",
  status: { sync: { status: "Synced", revision: SHA2 }, health: { status: "Healthy", message: "" }, history, resources: [{ group: "apps", version: "v1", kind: "Deployment", namespace: "team-a", name: "web", status: "Synced" }] },
});
const api = makeApp({ namespace: "team-b", name: "api" });

let running: FakeApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});
async function start(opts: Parameters<typeof startFakeApi>[0] = {}): Promise<FakeApi> {
  running = await startFakeApi({ apps: [web, api], ...opts });
  return running;
}
const post = (body?: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
});

describe("HTTP API probes", () => {
  it("answers /healthz with 200 and /readyz with 503 until caches are synced", async () => {
    let ready = false;
    const { url } = await start({ overrides: { ready: () => ready } });
    expect((await call(`${url}/healthz`)).status).toBe(200);
    const notReady = await call(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ error: { code: "NotReady", message: expect.any(String) } });
    ready = true;
    expect((await call(`${url}/readyz`)).status).toBe(200);
  });
});

describe("HTTP API errors", () => {
  it("answers unknown routes with a JSON 404", async () => {
    const { url } = await start();
    const res = await call(`${url}/api/v2/nothing`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.body).toEqual({ error: { code: "NotFound", message: "no route for GET /api/v2/nothing" } });
  });

  it("answers 404 for an unknown application", async () => {
    const { url } = await start();
    const res = await call(`${url}/api/v1/applications/team-a/nope`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "NotFound", message: "application team-a/nope not found" } });
  });

  it("refuses a JSON body over the limit with 413", async () => {
    const { url } = await start({ overrides: { bodyLimitBytes: 1024 } });
    const res = await call(`${url}/api/v1/applications/team-a/web/rollback`, post({ id: 1, pad: "x".repeat(2048) }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: "PayloadTooLarge" } });
  });

  it("refuses malformed JSON with 400 InvalidJSON", async () => {
    const { url } = await start();
    const res = await call(`${url}/api/v1/applications/team-a/web/rollback`, post("{not json"));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "InvalidJSON" } });
  });

  it.each([
    ["a render error", new RenderError("apps/web/x.yaml:3: invalid YAML", { code: "InvalidYAML" }), 422, "InvalidYAML", "apps/web/x.yaml:3: invalid YAML"],
    ["a coded error", new PlumbError("something specific", { code: "Superseded" }), 500, "Superseded", "something specific"],
    ["an unexpected error", new TypeError("cannot read x of undefined"), 500, "Internal", "internal error; see the operator's log"],
  ])("maps %s from a port to its status and code", async (_what, err, status, code, message) => {
    const { url } = await start({ overrides: { diff: () => Promise.reject(err) } });
    const res = await call(`${url}/api/v1/applications/team-a/web/diff`);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code, message } });
  });
});

describe("HTTP API applications", () => {
  it("lists applications with sync and health, never showing repository credentials", async () => {
    const { url } = await start();
    const res = await call(`${url}/api/v1/applications`);
    expect(res.status).toBe(200);
    const items = res.body.items as Record<string, unknown>[];
    expect(items.map((i) => `${i.namespace}/${i.name}`)).toEqual(["team-a/web", "team-b/api"]);
    expect(items[0]).toMatchObject({ sync: { status: "Synced", revision: SHA2 }, health: { status: "Healthy", message: "" }, repoURL: "https://git.example.com/org/config.git" });
    expect(items[1]).toMatchObject({ sync: { status: "Unknown" }, health: { status: "Unknown" } });
    expect(JSON.stringify(res.body)).not.toContain("hunter2");
  });

  it("filters the list by ?namespace=", async () => {
    const { url } = await start();
    const res = await call(`${url}/api/v1/applications?namespace=team-b`);
    expect((res.body.items as { name: string }[]).map((i) => i.name)).toEqual(["api"]);
  });

  it("shows one application with its spec summary, status and resources", async () => {
    const { url } = await start();
    const res = await call(`${url}/api/v1/applications/team-a/web`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      namespace: "team-a",
      name: "web",
      spec: { source: { repoURL: "https://git.example.com/org/config.git", targetRevision: "HEAD", path: "web" }, automated: { prune: true, selfHeal: true } },
      status: { history },
      resources: [{ kind: "Deployment", name: "web" }],
    });
  });

  it("serves the diff from the diff port", async () => {
    const report = { revision: SHA2, inSync: false, resources: [{ group: "", version: "v1", kind: "ConfigMap", namespace: "team-a", name: "c", action: "update" as const, diff: "--- live\n+++ desired\n", patch: [] }] };
    const { url } = await start({ overrides: { diff: async () => report } });
    const res = await call(`${url}/api/v1/applications/team-a/web/diff`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ namespace: "team-a", name: "web", ...report });
  });

  it("queues a manual sync and answers 202", async () => {
    const fake = await start();
    const res = await call(`${fake.url}/api/v1/applications/team-a/web/sync`, { method: "POST" });
    expect(res.status).toBe(202);
    expect(fake.requests).toEqual([{ namespace: "team-a", name: "web", req: { manual: true } }]);
  });

  it.each([
    ["no body: no prune", undefined, { manual: true }],
    ["an empty object: no prune", {}, { manual: true }],
    ['{"prune": false}', { prune: false }, { manual: true }],
    ['{"prune": true}: prune asked for', { prune: true }, { manual: true, prune: true }],
  ])("queues a manual sync with %s", async (_what, body, req) => {
    const fake = await start();
    const res = await call(`${fake.url}/api/v1/applications/team-a/web/sync`, body === undefined ? { method: "POST" } : post(body));
    expect(res.status).toBe(202);
    expect(fake.requests).toEqual([{ namespace: "team-a", name: "web", req }]);
  });

  it.each([
    ['a string "prune"', { prune: "true" }],
    ["an unknown field", { force: true }],
    ["an array", [true]],
  ])("refuses a sync with %s with 400", async (_what, body) => {
    const fake = await start();
    const res = await call(`${fake.url}/api/v1/applications/team-a/web/sync`, post(body));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "BadRequest" } });
    expect(fake.requests).toEqual([]);
  });

  it("answers 503 NotLeader when this replica does not run the controller", async () => {
    const { url } = await start({ outcome: "not-leader" });
    const res = await call(`${url}/api/v1/applications/team-a/web/sync`, { method: "POST" });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: "NotLeader" } });
  });

  it.each([
    ["a history id", { id: 1 }, SHA1],
    ["a full commit SHA", { revision: SHA2.toUpperCase() }, SHA2],
  ])("rolls back to %s with 202", async (_what, body, revision) => {
    const fake = await start();
    const res = await call(`${fake.url}/api/v1/applications/team-a/web/rollback`, post(body));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ revision });
    expect(fake.requests).toEqual([{ namespace: "team-a", name: "web", req: { rollbackTo: revision } }]);
  });

  it("answers 404 HistoryNotFound for an unknown history id", async () => {
    const fake = await start();
    const res = await call(`${fake.url}/api/v1/applications/team-a/web/rollback`, post({ id: 99 }));
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: "HistoryNotFound" } });
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ["no body", undefined],
    ["an empty object", {}],
    ["both id and revision", { id: 1, revision: SHA1 }],
    ["a short SHA", { revision: "abc1234" }],
    ["a string id", { id: "1" }],
    ["an unknown field", { id: 1, force: true }],
    ["an array", [1]],
  ])("refuses a rollback with %s with 400", async (_what, body) => {
    const fake = await start();
    const res = await call(`${fake.url}/api/v1/applications/team-a/web/rollback`, post(body));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "BadRequest" } });
    expect(fake.requests).toEqual([]);
  });
});
