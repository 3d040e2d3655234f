import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe.each(["customresourcedefinition"])("%s health", (kind) => {
  it.each(healthFixtures(kind))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });
});

describe("CustomResourceDefinition edge cases", () => {
  it("waits for a CRD whose names are accepted but which reports no Established condition yet", () => {
    const crd = loadFixture("customresourcedefinition-established.yaml");
    (crd.status as { conditions: unknown[] }).conditions.pop();
    expect(assessHealth(crd)).toEqual({ status: "Progressing", message: "Waiting for the CRD to be established" });
  });

  it("waits for a CRD that is Established but has not reported NamesAccepted", () => {
    const crd = loadFixture("customresourcedefinition-established.yaml");
    (crd.status as { conditions: unknown[] }).conditions.shift();
    expect(assessHealth(crd)).toEqual({ status: "Progressing", message: "Waiting for the CRD to be established" });
  });
});
