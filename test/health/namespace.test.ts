import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe.each(["namespace"])("%s health", (kind) => {
  it.each(healthFixtures(kind))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });
});

describe("Namespace edge cases", () => {
  it("says a terminating Namespace waits for its content when no condition names a blocker yet", () => {
    const ns = loadFixture("namespace-terminating.yaml");
    delete (ns.status as Record<string, unknown>).conditions;
    expect(assessHealth(ns)).toEqual({
      status: "Progressing",
      message: "Namespace is terminating: waiting for its content to be deleted",
    });
  });

  it("judges a Namespace with a deletionTimestamp but a stale Active phase as terminating", () => {
    const ns = loadFixture("namespace-active.yaml");
    ns.metadata.deletionTimestamp = "2025-05-06T12:00:00Z";
    expect(assessHealth(ns).status).toBe("Progressing");
  });
});
