import { describe, expect, it } from "vitest";
import { loadOperatorConfig } from "../src/config.js";
import { ConfigError } from "../src/errors.js";

describe("API auth settings", () => {
  it.each(["0.0.0.0:8080", "10.1.2.3:8080", ":8080", "[::]:8080"])("refuses PLUMB_API_AUTH=none on the non-loopback listener %s", (listen) => {
    expect(() => loadOperatorConfig({ listen }, { PLUMB_API_AUTH: "none" })).toThrow(ConfigError);
    expect(() => loadOperatorConfig({ listen, "api-auth": "none" }, {})).toThrow(/loopback/);
  });

  it.each(["127.0.0.1:8080", "localhost:8080", "[::1]:8080"])("allows PLUMB_API_AUTH=none on the loopback listener %s", (listen) => {
    expect(loadOperatorConfig({ listen }, { PLUMB_API_AUTH: "none" }).apiAuth).toBe("none");
  });

  it("checks tokens by default and reads the webhook secret from PLUMB_WEBHOOK_SECRET", () => {
    const cfg = loadOperatorConfig({ listen: "0.0.0.0:8080" }, { PLUMB_WEBHOOK_SECRET: "hook" });
    expect(cfg.apiAuth).toBe("kubernetes");
    expect(cfg.webhookSecret).toBe("hook");
  });
});

describe("tenancy settings", () => {
  it.each([
    ["in a pod: its namespace", {}, { KUBERNETES_SERVICE_HOST: "10.0.0.1", POD_NAMESPACE: "plumb-system" }, ["plumb-system"]],
    ["in a pod with --namespace: still the pod's namespace", { namespace: "apps" }, { KUBERNETES_SERVICE_HOST: "10.0.0.1", POD_NAMESPACE: "plumb-system" }, ["plumb-system"]],
    ["out of cluster with --namespace: that namespace", { namespace: "apps" }, {}, ["apps"]],
    ["out of cluster without: plumb-system", {}, {}, ["plumb-system"]],
    ["a list", { "trusted-namespaces": "a, b" }, {}, ["a", "b"]],
    ["everything (single-tenant opt-out)", {}, { PLUMB_TRUSTED_NAMESPACES: "*" }, "*"],
  ])("trusted namespaces %s", (_why, flags, env, want) => {
    expect(loadOperatorConfig(flags as Record<string, string>, env as NodeJS.ProcessEnv).trustedNamespaces).toEqual(want);
  });

  it("applies untrusted apps as the namespace's default ServiceAccount unless told otherwise", () => {
    expect(loadOperatorConfig({}, {}).defaultServiceAccount).toBe("default");
    expect(loadOperatorConfig({ "default-service-account": "plumb-deployer" }, {}).defaultServiceAccount).toBe("plumb-deployer");
  });

  it.each([["trusted-namespaces", "Bad_NS"], ["trusted-namespaces", ","], ["default-service-account", "no spaces"]])("refuses --%s=%s with one line", (flag, value) => {
    expect(() => loadOperatorConfig({ [flag]: value }, {})).toThrow(ConfigError);
  });
});
