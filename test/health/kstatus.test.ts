import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe.each(["kustomization", "certificate", "configmap"])("%s health", (kind) => {
  it.each(healthFixtures(kind))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });
});

describe("kstatus edge cases", () => {
  it("does not trust a Stalled condition written for an older generation", () => {
    const ks = loadFixture("kustomization-stalled.yaml");
    ks.metadata.generation = 3;
    delete (ks.status as Record<string, unknown>).observedGeneration;
    expect(assessHealth(ks)).toEqual({
      status: "Progressing",
      message: "Waiting for the controller to observe generation 3 (Stalled is from generation 2)",
    });
  });

  it("is Degraded when an object claims to be both Stalled and Reconciling", () => {
    const ks = loadFixture("kustomization-stalled.yaml");
    (ks.status as { conditions: unknown[] }).conditions.push({ type: "Reconciling", status: "True", reason: "Progressing" });
    expect(assessHealth(ks).status).toBe("Degraded");
  });

  it("ignores the generation of a resource whose controller never reports observedGeneration", () => {
    const widget = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", namespace: "default", generation: 7 },
      spec: { size: 3 },
    };
    expect(assessHealth(widget)).toEqual({ status: "Healthy", message: "Widget exists" });
  });

  it("is Progressing while Ready is Unknown", () => {
    const ks = loadFixture("kustomization-healthy.yaml");
    Object.assign((ks.status as { conditions: object[] }).conditions[0]!, { status: "Unknown", reason: "Progressing", message: "" });
    expect(assessHealth(ks)).toEqual({ status: "Progressing", message: "Not ready: Progressing" });
  });
});
