import { afterEach, describe, expect, it } from "vitest";
import { call, FakeAuthorizer, makeApp, startFakeApi, type FakeApi } from "./fakes.js";

const apps = [makeApp({ namespace: "team-a", name: "web" }), makeApp({ namespace: "team-b", name: "api" })];

let running: FakeApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function withAuth(): Promise<{ url: string; auth: FakeAuthorizer; fake: FakeApi }> {
  const auth = new FakeAuthorizer();
  auth.addUser("reader-token", "alice", [["get", "team-a"]]);
  auth.addUser("writer-token", "bob", [["get", "team-a"], ["update", "team-a"]]);
  auth.addUser("nobody-token", "mallory");
  running = await startFakeApi({ apps, overrides: { auth } });
  return { url: running.url, auth, fake: running };
}
const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

describe("HTTP API authentication", () => {
  it("answers 401 with a Bearer challenge when no token is sent", async () => {
    const { url } = await withAuth();
    const res = await call(`${url}/api/v1/applications`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="plumb"');
    expect(res.body).toMatchObject({ error: { code: "Unauthorized" } });
  });

  it("answers 401 for a token the API server does not know", async () => {
    const { url } = await withAuth();
    const res = await call(`${url}/api/v1/applications/team-a/web`, bearer("forged"));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: "Unauthorized", message: "the bearer token is invalid or expired" } });
  });

  it("answers 503 AuthUnavailable when the token cannot be checked", async () => {
    const { url, auth } = await withAuth();
    auth.failing = true;
    const res = await call(`${url}/api/v1/applications`, bearer("reader-token"));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: "AuthUnavailable" } });
  });

  it("does not ask for a token on probes, metrics or the webhook", async () => {
    const { url, auth } = await withAuth();
    expect((await call(`${url}/healthz`)).status).toBe(200);
    expect((await call(`${url}/metrics`)).status).toBe(200);
    expect((await call(`${url}/api/v1/webhooks/git`, { method: "POST", body: "{}" })).status).toBe(401);
    expect(auth.authenticateCalls).toBe(0);
  });
});

describe("HTTP API authorization", () => {
  it("answers 403 to a valid user without rights in the namespace", async () => {
    const { url } = await withAuth();
    const res = await call(`${url}/api/v1/applications/team-a/web`, bearer("nobody-token"));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: "Forbidden", message: "mallory may not get applications.plumb.dev in namespace team-a" } });
  });

  it("checks rights before existence, so unknown apps in foreign namespaces answer 403, not 404", async () => {
    const { url } = await withAuth();
    expect((await call(`${url}/api/v1/applications/team-b/secret-app`, bearer("reader-token"))).status).toBe(403);
    expect((await call(`${url}/api/v1/applications/team-a/secret-app`, bearer("reader-token"))).status).toBe(404);
  });

  it("lists only applications in namespaces the caller may get", async () => {
    const { url } = await withAuth();
    const reader = await call(`${url}/api/v1/applications`, bearer("reader-token"));
    expect((reader.body.items as { name: string }[]).map((i) => i.name)).toEqual(["web"]);
    const nobody = await call(`${url}/api/v1/applications`, bearer("nobody-token"));
    expect(nobody.body).toEqual({ items: [] });
  });

  it("needs update to sync: get alone answers 403, update answers 202", async () => {
    const { url, fake } = await withAuth();
    const denied = await call(`${url}/api/v1/applications/team-a/web/sync`, { method: "POST", ...bearer("reader-token") });
    expect(denied.status).toBe(403);
    expect(fake.requests).toEqual([]);
    const allowed = await call(`${url}/api/v1/applications/team-a/web/sync`, { method: "POST", ...bearer("writer-token") });
    expect(allowed.status).toBe(202);
    expect(fake.requests).toHaveLength(1);
  });
});
