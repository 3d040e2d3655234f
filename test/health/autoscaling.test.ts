import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe.each(["horizontalpodautoscaler"])("%s health", (kind) => {
  it.each(healthFixtures(kind))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });
});

describe("HorizontalPodAutoscaler edge cases", () => {
  it("reads an autoscaling/v1 object's conditions from its annotation", () => {
    const hpa = loadFixture("horizontalpodautoscaler-degraded.yaml");
    const conditions = (hpa.status as { conditions: unknown }).conditions;
    hpa.apiVersion = "autoscaling/v1";
    delete (hpa.status as Record<string, unknown>).conditions;
    hpa.metadata.annotations = {
      "autoscaling.alpha.kubernetes.io/conditions": JSON.stringify(conditions),
    };
    const health = assessHealth(hpa);
    expect(health.status).toBe("Degraded");
    expect(health.message).toContain("FailedGetResourceMetric");
  });

  it("is Unknown when the v1 conditions annotation is not JSON", () => {
    const hpa = loadFixture("horizontalpodautoscaler-new.yaml");
    hpa.metadata.annotations = { "autoscaling.alpha.kubernetes.io/conditions": "[{oops" };
    const health = assessHealth(hpa);
    expect(health.status).toBe("Unknown");
    expect(health.message).toContain("autoscaling.alpha.kubernetes.io/conditions");
  });

  it("does not mistake a scaling backoff for a failure", () => {
    const hpa = loadFixture("horizontalpodautoscaler-healthy.yaml");
    const [able] = (hpa.status as { conditions: Record<string, unknown>[] }).conditions;
    Object.assign(able!, { status: "False", reason: "BackoffBoth", message: "the time since the previous scale is still within both the downscale and upscale forbidden windows" });
    expect(assessHealth(hpa).status).toBe("Healthy");
  });

  it("is Healthy when it can scale but has no metrics verdict yet", () => {
    const hpa = loadFixture("horizontalpodautoscaler-healthy.yaml");
    const status = hpa.status as { conditions: unknown[] };
    status.conditions = status.conditions.slice(0, 1);
    expect(assessHealth(hpa).status).toBe("Healthy");
  });

  it("waits when its only condition neither fails nor succeeds", () => {
    const hpa = loadFixture("horizontalpodautoscaler-healthy.yaml");
    (hpa.status as { conditions: unknown[] }).conditions = [
      { type: "ScalingActive", status: "Unknown", reason: "Initializing", message: "waiting for metrics" },
    ];
    expect(assessHealth(hpa)).toEqual({
      status: "Progressing",
      message: "Waiting for the autoscaler: Initializing: waiting for metrics",
    });
  });

  it.each([
    ["ScalingActive", "InvalidSelector", "the HPA target's scale is missing a selector"],
    ["ScalingActive", "AmbiguousSelector", "pods by selector app=web are controlled by multiple HPAs: [guestbook/web guestbook/web-2]"],
    ["ScalingActive", "InvalidMetricSourceType", "the HPA was unable to compute the replica count: unrecognized metric source type"],
    ["AbleToScale", "FailedUpdateScale", "the HPA controller was unable to update the target scale: conflict"],
  ])("is Degraded when %s is False because %s", (type, reason, message) => {
    const hpa = loadFixture("horizontalpodautoscaler-healthy.yaml");
    const conditions = (hpa.status as { conditions: Record<string, unknown>[] }).conditions;
    Object.assign(conditions.find((c) => c.type === type)!, { status: "False", reason, message });
    expect(assessHealth(hpa)).toEqual({
      status: "Degraded",
      message: `Autoscaler cannot scale: ${type}=False (${reason}: ${message})`,
    });
  });
});
