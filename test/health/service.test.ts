import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe.each(["service", "ingress"])("%s health", (kind) => {
  it.each(healthFixtures(kind))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });
});

describe("Service edge cases", () => {
  it("treats a Service without spec.type as a ClusterIP Service", () => {
    const svc = loadFixture("service-clusterip.yaml");
    delete (svc.spec as Record<string, unknown>).type;
    expect(assessHealth(svc)).toEqual({ status: "Healthy", message: "Service of type ClusterIP exists" });
  });

  it("judges a NodePort Service Healthy without a load balancer", () => {
    const svc = loadFixture("service-loadbalancer-pending.yaml");
    (svc.spec as Record<string, unknown>).type = "NodePort";
    expect(assessHealth(svc).status).toBe("Healthy");
  });
});
