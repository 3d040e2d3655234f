import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApplication } from "../../support/apps.js";
import { createNamespace, kubectl, waitFor } from "../../support/kube.js";
import { api, startApiOperator, type ApiOperator } from "./harness.js";

let op: ApiOperator;
let ns: string;
let token: string;

beforeAll(async () => {
  ns = await createNamespace("api-auth");
  // tokens are checked against the real API server (TokenReview, SubjectAccessReview)
  op = await startApiOperator({ namespace: ns, flags: { "api-auth": "kubernetes" } });
  await applyApplication({ namespace: ns, name: "guarded", spec: { source: { repoURL: "http://127.0.0.1:9/nowhere.git" }, destination: { namespace: ns }, interval: "1h" } });
  await waitFor(() => op.running.parts.apps.get(ns, "guarded"), { what: "app in the operator's cache" });
  await kubectl(["create", "serviceaccount", "viewer", "-n", ns]);
  token = (await kubectl(["create", "token", "viewer", "-n", ns, "--duration=10m"])).trim();
});

afterAll(async () => {
  await op?.stop();
});

const one = () => `${op.url}/api/v1/applications/${ns}/guarded`;
const as = (t: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { authorization: `Bearer ${t}` } });

describe("HTTP API authorization with real ServiceAccount tokens", () => {
  it("answers 401 without a token and with a forged one", async () => {
    expect((await api(one())).status).toBe(401);
    const forged = await api(one(), as(`${token.slice(0, -4)}AAAA`));
    expect(forged).toMatchObject({ status: 401, body: { error: { code: "Unauthorized" } } });
  });

  it("answers 403 to a ServiceAccount without rights, and lists nothing for it", async () => {
    const res = await api(one(), as(token));
    expect(res).toMatchObject({ status: 403, body: { error: { code: "Forbidden", message: `system:serviceaccount:${ns}:viewer may not get applications.plumb.dev in namespace ${ns}` } } });
    expect((await api(`${op.url}/api/v1/applications`, as(token))).body).toEqual({ items: [] });
  });

  it("lets it read once a RoleBinding grants get on applications, but not sync", async () => {
    await kubectl(["create", "role", "app-viewer", "-n", ns, "--verb=get,list,watch", "--resource=applications.plumb.dev"]);
    await kubectl(["create", "rolebinding", "app-viewer", "-n", ns, "--role=app-viewer", `--serviceaccount=${ns}:viewer`]);
    // the operator caches a "no" for up to 10 s
    const res = await waitFor(async () => {
      const r = await api(one(), as(token));
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 30_000, intervalMs: 1_000, what: "200 after the RoleBinding" });
    expect(res.body).toMatchObject({ namespace: ns, name: "guarded" });
    const list = await api(`${op.url}/api/v1/applications`, as(token));
    expect((list.body.items as { name: string }[]).map((i) => i.name)).toEqual(["guarded"]);
    const sync = await api(`${one()}/sync`, as(token, { method: "POST" }));
    expect(sync).toMatchObject({ status: 403, body: { error: { code: "Forbidden" } } });
  });
});
