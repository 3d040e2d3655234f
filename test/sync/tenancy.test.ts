import { describe, expect, it } from "vitest";
import type { Application } from "../../src/model/application.js";
import { applierOf } from "../../src/sync/tenancy.js";

const app = (namespace: string, serviceAccountName?: string): Application =>
  ({ apiVersion: "plumb.dev/v1alpha1", kind: "Application", metadata: { name: "a", namespace }, spec: { source: { repoURL: "https://h/r" }, ...(serviceAccountName ? { serviceAccountName } : {}) } }) as Application;

describe("applierOf: an Application never gets more than its namespace", () => {
  const policy = { trustedNamespaces: ["plumb-system"], defaultServiceAccount: "default" };
  it.each([
    ["an app in a trusted namespace", app("plumb-system"), policy, "operator"],
    ["an app in a trusted namespace naming an SA", app("plumb-system", "deployer"), policy, "system:serviceaccount:plumb-system:deployer"],
    ["a tenant app naming no SA: the namespace's default SA", app("team-a"), policy, "system:serviceaccount:team-a:default"],
    ["a tenant app naming an SA: that SA, in its own namespace", app("team-a", "deployer"), policy, "system:serviceaccount:team-a:deployer"],
    ["a tenant app with a configured default SA", app("team-a"), { ...policy, defaultServiceAccount: "plumb-deployer" }, "system:serviceaccount:team-a:plumb-deployer"],
    ["any app when every namespace is trusted (single-tenant opt-out)", app("team-a"), { ...policy, trustedNamespaces: "*" as const }, "operator"],
    ["an SA is still honoured with every namespace trusted", app("team-a", "deployer"), { ...policy, trustedNamespaces: "*" as const }, "system:serviceaccount:team-a:deployer"],
  ])("%s", (_why, a, p, want) => {
    const got = applierOf(a, p);
    expect(got.kind === "operator" ? "operator" : got.user).toBe(want);
  });
});
