import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { signBody } from "../../src/api/index.js";
import { call, makeApp, startFakeApi, type FakeApi } from "./fakes.js";

const SECRET = "s3cret-webhook";
const REPO = "https://git.example.com/org/config.git";
const apps = [
  makeApp({ namespace: "team-a", name: "web", repoURL: REPO }),
  makeApp({ namespace: "team-a", name: "worker", repoURL: "https://GIT.example.com/org/config/" }),
  makeApp({ namespace: "team-b", name: "feature", repoURL: REPO, targetRevision: "feature" }),
  makeApp({ namespace: "team-b", name: "other", repoURL: "https://git.example.com/org/other.git" }),
];
const ALL_MAIN = ["team-a/web", "team-a/worker"];

let running: FakeApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});
async function start(overrides: Parameters<typeof startFakeApi>[0] = {}): Promise<FakeApi> {
  running = await startFakeApi({ apps, ...overrides });
  return running;
}
function hook(url: string, body: string, headers: Record<string, string>) {
  return call(`${url}/api/v1/webhooks/git`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}
const githubPush = (ref = "refs/heads/main") =>
  JSON.stringify({ ref, after: "a".repeat(40), repository: { clone_url: REPO, html_url: "https://git.example.com/org/config", default_branch: "main" } });
const refreshed = (body: Record<string, unknown>) => (body.refreshed as { namespace: string; name: string }[]).map((a) => `${a.namespace}/${a.name}`);

describe("Git webhook signatures", () => {
  it("accepts a GitHub push signed with X-Hub-Signature-256 and refreshes the matching apps urgently", async () => {
    const fake = await start();
    const body = githubPush();
    const res = await hook(fake.url, body, { "x-github-event": "push", "x-hub-signature-256": signBody(SECRET, body) });
    expect(res.status).toBe(202);
    expect(refreshed(res.body)).toEqual(ALL_MAIN);
    expect(fake.requests.map((r) => r.req)).toEqual([{ urgent: true }, { urgent: true }]);
  });

  it("refuses a GitHub push without a signature with 401 MissingSignature", async () => {
    const fake = await start();
    const res = await hook(fake.url, githubPush(), { "x-github-event": "push" });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: "MissingSignature" } });
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ["signed with another secret", (body: string) => signBody("wrong-secret", body)],
    ["signed over another body (replayed with a different signature)", () => signBody(SECRET, githubPush("refs/heads/other"))],
    ["a signature without the sha256= prefix", (body: string) => signBody(SECRET, body).slice("sha256=".length)],
    ["a truncated signature", (body: string) => signBody(SECRET, body).slice(0, 40)],
    ["a SHA-1 signature", (body: string) => `sha1=${createHmac("sha1", SECRET).update(body).digest("hex")}`],
  ])("refuses a GitHub push %s with 401 InvalidSignature", async (_what, sign) => {
    const fake = await start();
    const body = githubPush();
    const res = await hook(fake.url, body, { "x-github-event": "push", "x-hub-signature-256": sign(body) });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: "InvalidSignature" } });
    expect(fake.requests).toEqual([]);
  });

  it("answers a signed GitHub ping with 200 and refreshes nothing", async () => {
    const fake = await start();
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const res = await hook(fake.url, body, { "x-github-event": "ping", "x-hub-signature-256": signBody(SECRET, body) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ provider: "github", message: "pong" });
    expect(fake.requests).toEqual([]);
  });

  it("reads a form-encoded GitHub push, verifying the signature over the encoded body", async () => {
    const fake = await start();
    const body = new URLSearchParams({ payload: githubPush() }).toString();
    const res = await call(`${fake.url}/api/v1/webhooks/git`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-github-event": "push", "x-hub-signature-256": signBody(SECRET, body) }, body });
    expect(res.status).toBe(202);
    expect(refreshed(res.body)).toEqual(ALL_MAIN);
  });

  it.each(["gitea", "gogs"])("accepts a %s push signed with the bare hex HMAC and refuses a wrong one", async (provider) => {
    const fake = await start();
    const body = githubPush();
    const hex = createHmac("sha256", SECRET).update(body).digest("hex");
    const headers = { [`x-${provider}-event`]: "push", "x-github-event": "push" };
    const ok = await hook(fake.url, body, { ...headers, [`x-${provider}-signature`]: hex });
    expect(ok.status).toBe(202);
    expect(ok.body.provider).toBe(provider);
    expect(refreshed(ok.body)).toEqual(ALL_MAIN);
    // Gitea also sends GitHub's header; a valid one must not rescue a bad Gitea signature
    const bad = await hook(fake.url, body, { ...headers, [`x-${provider}-signature`]: "0".repeat(64), "x-hub-signature-256": signBody(SECRET, body) });
    expect(bad.status).toBe(401);
  });

  it("accepts a GitLab push whose X-Gitlab-Token equals the secret and refuses another token", async () => {
    const fake = await start();
    const body = JSON.stringify({ object_kind: "push", ref: "refs/heads/feature", checkout_sha: "b".repeat(40), project: { git_http_url: REPO, web_url: "https://git.example.com/org/config", default_branch: "main" } });
    const ok = await hook(fake.url, body, { "x-gitlab-event": "Push Hook", "x-gitlab-token": SECRET });
    expect(ok.status).toBe(202);
    expect(refreshed(ok.body)).toEqual(["team-b/feature"]);
    const bad = await hook(fake.url, body, { "x-gitlab-event": "Push Hook", "x-gitlab-token": `${SECRET}x` });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: { code: "InvalidSignature" } });
  });

  it("accepts a generic push signed with X-Plumb-Signature and refuses an unsigned one", async () => {
    const fake = await start();
    const body = JSON.stringify({ repoURL: "https://git.example.com/org/other", revision: "main" });
    const ok = await hook(fake.url, body, { "x-plumb-signature": signBody(SECRET, body) });
    expect(ok.status).toBe(202);
    expect(refreshed(ok.body)).toEqual(["team-b/other"]);
    expect((await hook(fake.url, body, {})).status).toBe(401);
    expect((await hook(fake.url, body, { "x-plumb-signature": signBody(SECRET, `${body} `) })).status).toBe(401);
  });
});

describe("Git webhook requests", () => {
  it("answers 503 WebhookDisabled while no secret is configured", async () => {
    const fake = await start({ overrides: { webhookSecret: undefined } });
    const body = githubPush();
    const res = await hook(fake.url, body, { "x-github-event": "push", "x-hub-signature-256": signBody("", body) });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: "WebhookDisabled", message: expect.stringContaining("PLUMB_WEBHOOK_SECRET") } });
    expect(fake.requests).toEqual([]);
  });

  it("refuses a body over the limit with 413", async () => {
    const fake = await start({ overrides: { bodyLimitBytes: 2048 } });
    const body = JSON.stringify({ repoURL: REPO, pad: "x".repeat(4096) });
    const res = await hook(fake.url, body, { "x-plumb-signature": signBody(SECRET, body) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: "PayloadTooLarge" } });
  });

  it("refuses a signed body that is not JSON with 400", async () => {
    const fake = await start();
    const res = await hook(fake.url, "not json", { "x-plumb-signature": signBody(SECRET, "not json") });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "InvalidJSON" } });
  });

  it("ignores events other than pushes with 200", async () => {
    const fake = await start();
    const body = JSON.stringify({ action: "opened" });
    const res = await hook(fake.url, body, { "x-github-event": "pull_request", "x-hub-signature-256": signBody(SECRET, body) });
    expect(res.status).toBe(200);
    expect(fake.requests).toEqual([]);
  });

  it("refreshes only apps that track the pushed branch", async () => {
    const fake = await start();
    const body = githubPush("refs/heads/feature");
    const res = await hook(fake.url, body, { "x-github-event": "push", "x-hub-signature-256": signBody(SECRET, body) });
    expect(refreshed(res.body)).toEqual(["team-b/feature"]);
  });

  it("answers 503 NotLeader on a replica that does not run the controller", async () => {
    const fake = await start({ outcome: "not-leader" });
    const body = githubPush();
    const res = await hook(fake.url, body, { "x-github-event": "push", "x-hub-signature-256": signBody(SECRET, body) });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: "NotLeader" } });
  });

  it("counts webhook requests by provider and result in the metrics", async () => {
    const fake = await start();
    const body = githubPush();
    await hook(fake.url, body, { "x-github-event": "push", "x-hub-signature-256": signBody(SECRET, body) });
    await hook(fake.url, body, { "x-github-event": "push", "x-hub-signature-256": signBody("nope", body) });
    const text = await fake.metrics.render();
    expect(text).toContain('plumb_webhook_requests_total{provider="github",result="accepted"} 1');
    expect(text).toContain('plumb_webhook_requests_total{provider="github",result="unauthorized"} 1');
  });
});
