import { request, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { Application } from "../../src/model/application.js";
import { openStream, type SseClient } from "../support/sse.js";
import { call, FakeAuthorizer, makeApp, startFakeApi, type FakeApi } from "./fakes.js";

let running: FakeApi | undefined;
const streams: SseClient[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await running?.close();
  running = undefined;
});

/** team-a is visible to "alice", team-b is not. */
function setup(): { auth: FakeAuthorizer; a: Application; b: Application } {
  const auth = new FakeAuthorizer();
  auth.addUser("alice-token", "alice", [["get", "team-a"]]);
  return { auth, a: makeApp({ namespace: "team-a", name: "web" }), b: makeApp({ namespace: "team-b", name: "secret-app" }) };
}
const withStatus = (app: Application, health: string, message = ""): Application => ({
  ...app,
  status: { sync: { status: "Synced", revision: "c".repeat(40) }, health: { status: health as "Healthy", message } },
});
async function open(url: string, token?: string): Promise<SseClient> {
  const s = await openStream(`${url}/api/v1/stream`, token);
  streams.push(s);
  return s;
}
const parse = (data: string) => JSON.parse(data) as Record<string, unknown>;

describe("GET /api/v1/stream", () => {
  it("answers 401 without a token", async () => {
    const { auth, a } = setup();
    running = await startFakeApi({ apps: [a], overrides: { auth } });
    const res = await call(`${running.url}/api/v1/stream`);
    expect(res).toMatchObject({ status: 401, body: { error: { code: "Unauthorized" } } });
  });

  it("starts with a snapshot of the apps the caller may get, as text/event-stream", async () => {
    const { auth, a, b } = setup();
    running = await startFakeApi({ apps: [a, b], overrides: { auth } });
    const res = await fetch(`${running.url}/api/v1/stream`, { headers: { authorization: "Bearer alice-token" } });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await res.body?.cancel();
    const s = await open(running.url, "alice-token");
    const snap = await s.next((e) => e.event === "snapshot");
    expect((parse(snap.data).items as { name: string }[]).map((i) => i.name)).toEqual(["web"]);
  });

  it("sends added, changed and removed for visible apps and never an event of a namespace the caller may not get", async () => {
    const { auth, a, b } = setup();
    running = await startFakeApi({ apps: [], overrides: { auth } });
    const s = await open(running.url, "alice-token");
    await s.next((e) => e.event === "snapshot");
    running.emit("add", b);
    running.emit("add", a);
    const added = await s.next((e) => e.event === "added");
    expect(parse(added.data)).toMatchObject({ namespace: "team-a", name: "web" });
    running.emit("update", withStatus(b, "Degraded"));
    running.emit("update", withStatus(a, "Degraded", "web: 0/2 ready"));
    const changed = await s.next((e) => e.event === "changed");
    expect(parse(changed.data)).toMatchObject({ name: "web", health: { status: "Degraded", message: "web: 0/2 ready" } });
    running.emit("delete", b);
    running.emit("delete", a);
    const removed = await s.next((e) => e.event === "removed");
    expect(parse(removed.data)).toEqual({ namespace: "team-a", name: "web" });
    expect(s.events.map((e) => e.data).join("\n")).not.toContain("secret-app");
  });

  it("asks the Authorizer once per namespace for a burst of changes", async () => {
    const { auth, a } = setup();
    let asked = 0;
    const allowed = auth.allowed.bind(auth);
    auth.allowed = async (...args) => {
      asked++;
      return allowed(...args);
    };
    running = await startFakeApi({ apps: [a], overrides: { auth } });
    const s = await open(running.url, "alice-token");
    await s.next((e) => e.event === "snapshot");
    for (let i = 0; i < 50; i++) running.emit("update", withStatus(a, "Progressing", `step ${i}`));
    await s.next((e) => e.event === "changed" && (parse(e.data).health as { message: string }).message === "step 49");
    expect(asked).toBe(1);
  });

  it("tells a client an app is gone once the caller's right to its namespace is revoked", async () => {
    const { auth, a } = setup();
    running = await startFakeApi({ apps: [a], overrides: { auth, stream: { heartbeatMs: 50, accessTtlMs: 50 } } });
    const s = await open(running.url, "alice-token");
    await s.next((e) => e.event === "snapshot");
    auth.grants.clear();
    const removed = await s.next((e) => e.event === "removed", { timeoutMs: 5_000 });
    expect(parse(removed.data)).toEqual({ namespace: "team-a", name: "web" });
  });

  it("refuses streams beyond the limit with 503 TooManyStreams", async () => {
    running = await startFakeApi({ apps: [], overrides: { stream: { maxClients: 2 } } });
    await (await open(running.url)).next((e) => e.event === "snapshot");
    await (await open(running.url)).next((e) => e.event === "snapshot");
    const third = await call(`${running.url}/api/v1/stream`);
    expect(third).toMatchObject({ status: 503, body: { error: { code: "TooManyStreams" } } });
  });

  it("coalesces changes for a client that does not read, so its backlog stays one entry per app", async () => {
    const apps = Array.from({ length: 20 }, (_, i) => makeApp({ namespace: "team-a", name: `app-${i}` }));
    running = await startFakeApi({ apps });
    const fake = running;
    // a raw request whose response is never read: the socket stops draining
    const got: Buffer[] = [];
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${fake.url}/api/v1/stream`, resolve);
      req.on("error", reject);
      req.end();
    });
    res.pause();
    const big = "x".repeat(50_000);
    const rounds = 200;
    for (let r = 0; r < rounds; r++) {
      for (const app of apps) fake.emit("update", withStatus(app, "Progressing", `${r} ${big}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.on("data", (c: Buffer) => got.push(c));
    res.resume();
    const last = `${rounds - 1} ${big}`;
    const text = async () => Buffer.concat(got).toString("utf8");
    for (let i = 0; i < 200 && (await text()).split(`"message":"${last}"`).length - 1 < apps.length; i++) await new Promise((r) => setTimeout(r, 50));
    const body = await text();
    res.destroy();
    const changed = body.split("event: changed").length - 1;
    // every app ends at its last state, and far fewer events than the 4,000 changes were sent
    expect(body.split(`"message":"${last}"`).length - 1).toBe(apps.length);
    expect(changed).toBeLessThan((rounds * apps.length) / 4);
  });
});

describe("dashboard routes", () => {
  it("redirects / and /ui to /ui/, and answers 503 DashboardNotBuilt when no assets were built", async () => {
    running = await startFakeApi({ apps: [] });
    const root = await fetch(`${running.url}/`, { redirect: "manual" });
    expect([root.status, root.headers.get("location")]).toEqual([302, "/ui/"]);
    const bare = await fetch(`${running.url}/ui`, { redirect: "manual" });
    expect([bare.status, bare.headers.get("location")]).toEqual([301, "/ui/"]);
    const asset = await call(`${running.url}/ui/assets/app-NOPE.js`);
    expect(asset).toMatchObject({ status: 404, body: { error: { code: "NotFound" } } });
    const page = await call(`${running.url}/ui/apps/a/b`);
    expect(page).toMatchObject({ status: 503, body: { error: { code: "DashboardNotBuilt" } } });
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("says which auth the API uses without a token, and whose a token is", async () => {
    const { auth } = setup();
    running = await startFakeApi({ apps: [], overrides: { auth } });
    expect((await call(`${running.url}/api/v1/auth`)).body).toEqual({ mode: "kubernetes" });
    expect((await call(`${running.url}/api/v1/auth`, { headers: { authorization: "Bearer alice-token" } })).body).toEqual({ mode: "kubernetes", user: { username: "alice" } });
    expect((await call(`${running.url}/api/v1/auth`, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
    await running.close();
    running = await startFakeApi({ apps: [] });
    expect((await call(`${running.url}/api/v1/auth`)).body).toEqual({ mode: "none" });
  });
});

describe("shutdown", () => {
  it("ends open event streams when the server closes, without waiting for its grace period", async () => {
    running = await startFakeApi({ apps: [] });
    const s = await open(running.url);
    await s.next((e) => e.event === "snapshot");
    const began = Date.now();
    await running.server.close({ graceMs: 30_000 });
    running = undefined;
    expect(Date.now() - began).toBeLessThan(10_000);
    await waitUntil(() => s.ended);
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(check()).toBe(true);
}
