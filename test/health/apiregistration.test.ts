import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe.each(["apiservice"])("%s health", (kind) => {
  it.each(healthFixtures(kind))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });
});

describe("APIService edge cases", () => {
  it("is Progressing while availability is Unknown", () => {
    const api = loadFixture("apiservice-available.yaml");
    Object.assign((api.status as { conditions: object[] }).conditions[0]!, { status: "Unknown", reason: "Checking" });
    expect(assessHealth(api).status).toBe("Progressing");
  });
});
