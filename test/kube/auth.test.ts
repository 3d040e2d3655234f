import { describe, expect, it } from "vitest";
import { KubeAuthorizer } from "../../src/kube/auth.js";
import type { RestClient, RestRequest } from "../../src/kube/rest.js";

/** A RestClient that answers reviews from a script and records requests. */
function fakeRest(answer: (req: RestRequest) => unknown): { rest: RestClient; calls: RestRequest[] } {
  const calls: RestRequest[] = [];
  const rest = { request: async (req: RestRequest) => (calls.push(req), answer(req)) } as unknown as RestClient;
  return { rest, calls };
}

describe("KubeAuthorizer", () => {
  it("authenticates with a TokenReview and caches the answer for the TTL", async () => {
    let now = 0;
    const { rest, calls } = fakeRest(() => ({ status: { authenticated: true, user: { username: "alice", groups: ["g"] } } }));
    const auth = new KubeAuthorizer({ rest, ttlMs: 10_000, now: () => now });
    expect(await auth.authenticate("tok")).toEqual({ username: "alice", groups: ["g"] });
    expect(await auth.authenticate("tok")).toEqual({ username: "alice", groups: ["g"] });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: "POST", path: "/apis/authentication.k8s.io/v1/tokenreviews", body: { spec: { token: "tok" } } });
    now = 10_001;
    await auth.authenticate("tok");
    expect(calls).toHaveLength(2);
  });

  it("answers undefined for an unauthenticated token", async () => {
    const { rest } = fakeRest(() => ({ status: { authenticated: false } }));
    expect(await new KubeAuthorizer({ rest }).authenticate("bad")).toBeUndefined();
  });

  it("asks a SubjectAccessReview on applications.plumb.dev per user, verb and namespace", async () => {
    const { rest, calls } = fakeRest((req) => ({ status: { allowed: (req.body as { spec: { resourceAttributes: { verb: string } } }).spec.resourceAttributes.verb === "get" } }));
    const auth = new KubeAuthorizer({ rest });
    const user = { username: "system:serviceaccount:ns:reader", groups: ["system:serviceaccounts"], uid: "u1" };
    expect(await auth.allowed(user, "get", "team-a")).toBe(true);
    expect(await auth.allowed(user, "update", "team-a")).toBe(false);
    expect(await auth.allowed(user, "get", "team-a")).toBe(true);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.body).toMatchObject({
      kind: "SubjectAccessReview",
      spec: { user: user.username, groups: user.groups, uid: "u1", resourceAttributes: { group: "plumb.dev", resource: "applications", verb: "get", namespace: "team-a" } },
    });
  });
});
