import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../src/notify/providers/index.js";
import { commitLink } from "../../src/notify/providers/slack.js";
import { safeAddress } from "../../src/notify/redact.js";
import type { NotificationEvent, NotificationEventType, NotifierSpec } from "../../src/notify/types.js";

const SHA = "3f9c2b1a0d4e5f60718293a4b5c6d7e8f9012345";
const event = (e: NotificationEventType = "Synced", repoURL = "https://github.com/acme/web.git"): NotificationEvent => ({
  app: { namespace: "team-a", name: "web" }, event: e, revision: SHA, sync: "Synced", health: "Healthy", message: "revision 3f9c2b1 is applied and healthy", time: "2025-01-01T00:00:00.000Z", repoURL,
});
const spec = (type: NotifierSpec["type"], address?: string): NotifierSpec => ({ type, ...(address ? { address } : {}) });

describe("providers", () => {
  it("webhook posts the event and signs the body with the Secret's hmacKey", () => {
    const req = PROVIDERS.webhook({ spec: spec("webhook", "https://hooks.example/plumb"), secret: { hmacKey: "k3y" }, event: event() });
    expect(req.url).toBe("https://hooks.example/plumb");
    expect(JSON.parse(req.body)).toEqual({ app: { namespace: "team-a", name: "web" }, event: "Synced", revision: SHA, sync: "Synced", health: "Healthy", message: "revision 3f9c2b1 is applied and healthy", time: "2025-01-01T00:00:00.000Z" });
    expect(req.headers["x-plumb-signature"]).toBe(`sha256=${createHmac("sha256", "k3y").update(req.body).digest("hex")}`);
    expect(PROVIDERS.webhook({ spec: spec("webhook", "https://hooks.example/plumb"), secret: {}, event: event() }).headers["x-plumb-signature"]).toBeUndefined();
  });

  it.each([
    ["github", "https://api.github.com", `https://api.github.com/repos/acme/web/statuses/${SHA}`, "authorization", "Bearer tok"],
    ["gitea", "https://gitea.example", `https://gitea.example/api/v1/repos/acme/web/statuses/${SHA}`, "authorization", "token tok"],
    ["gitlab", "https://gitlab.example", `https://gitlab.example/api/v4/projects/acme%2Fweb/statuses/${SHA}`, "private-token", "tok"],
  ] as const)("%s sets a commit status with context plumb/<ns>/<name>", (type, address, url, header, value) => {
    const req = PROVIDERS[type]({ spec: spec(type, address), secret: { token: "tok" }, event: event() });
    expect(req.url).toBe(url);
    expect(req.headers[header]).toBe(value);
    expect(JSON.parse(req.body)).toMatchObject({ context: "plumb/team-a/web", state: "success" });
  });

  it("github defaults to api.github.com and takes the address from the Secret", () => {
    expect(PROVIDERS.github({ spec: spec("github"), secret: { token: "t" }, event: event() }).url).toBe(`https://api.github.com/repos/acme/web/statuses/${SHA}`);
    expect(PROVIDERS.github({ spec: spec("github"), secret: { token: "t", address: "http://127.0.0.1:9/" }, event: event() }).url).toBe(`http://127.0.0.1:9/repos/acme/web/statuses/${SHA}`);
  });

  it("gitlab keeps subgroups in the project path", () => {
    const req = PROVIDERS.gitlab({ spec: spec("gitlab"), secret: { token: "t" }, event: event("Synced", "https://gitlab.com/org/sub/web.git") });
    expect(req.url).toBe(`https://gitlab.com/api/v4/projects/org%2Fsub%2Fweb/statuses/${SHA}`);
  });

  it.each([
    ["Progressing", "pending", "running"],
    ["Synced", "success", "success"],
    ["Degraded", "failure", "failed"],
    ["Failed", "failure", "failed"],
    ["RolledBack", "failure", "failed"],
  ] as const)("%s is %s (GitLab %s)", (e, state, gitlabState) => {
    expect(JSON.parse(PROVIDERS.github({ spec: spec("github"), secret: { token: "t" }, event: event(e) }).body).state).toBe(state);
    expect(JSON.parse(PROVIDERS.gitea({ spec: spec("gitea", "https://g.example"), secret: { token: "t" }, event: event(e) }).body).state).toBe(state);
    expect(JSON.parse(PROVIDERS.gitlab({ spec: spec("gitlab"), secret: { token: "t" }, event: event(e) }).body).state).toBe(gitlabState);
  });

  it.each([
    ["github", {}, "TokenMissing"],
    ["gitea", { token: "t" }, "AddressMissing"],
    ["webhook", {}, "AddressMissing"],
  ] as const)("%s refuses to build without what it needs (%j)", (type, secret, code) => {
    expect(() => PROVIDERS[type]({ spec: spec(type), secret, event: event() })).toThrow(expect.objectContaining({ code }));
  });

  it("names no repository for a repoURL without owner/repo", () => {
    expect(() => PROVIDERS.github({ spec: spec("github"), secret: { token: "t" }, event: event("Synced", "https://git.example/web.git") })).toThrow(expect.objectContaining({ code: "RepoUnknown" }));
  });

  it("slack links the short SHA on known hosts only", () => {
    const text = JSON.parse(PROVIDERS.slack({ spec: spec("slack", "https://hooks.slack.com/services/T/B/X"), secret: {}, event: event() }).body).text as string;
    expect(text).toContain(`<https://github.com/acme/web/commit/${SHA}|3f9c2b1>`);
    expect(text).toContain("team-a/web");
    expect(text).toContain("Healthy");
    expect(commitLink("https://user:pw@gitlab.com/a/b.git", SHA)).toBe(`https://gitlab.com/a/b/-/commit/${SHA}`);
    expect(commitLink("http://127.0.0.1:3000/a/b.git", SHA)).toBeUndefined();
  });

  it.each([
    ["slack", "https://hooks.slack.com/services/T0/B0/SECRETKEY", "https://hooks.slack.com/…"],
    ["webhook", "https://user:pw@hooks.example/p?key=SECRET", "https://hooks.example/p?…"],
    ["github", "https://api.github.com", "https://api.github.com/"],
  ] as const)("safeAddress(%s) keeps no key", (type, address, safe) => expect(safeAddress(type, address)).toBe(safe));
});
