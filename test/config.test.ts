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
