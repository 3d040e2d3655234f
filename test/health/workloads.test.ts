import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe.each(["deployment", "statefulset", "daemonset", "replicaset"])("%s health", (kind) => {
  it.each(healthFixtures(kind))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });
});

describe("workload edge cases", () => {
  it("treats a Deployment without spec.replicas as wanting one replica, like the API server", () => {
    const deployment = loadFixture("deployment-healthy.yaml");
    delete (deployment.spec as Record<string, unknown>).replicas;
    Object.assign(deployment.status as object, { replicas: 0, updatedReplicas: 0, availableReplicas: 0 });
    expect(assessHealth(deployment)).toEqual({
      status: "Progressing",
      message: "Waiting for rollout to finish: 0 out of 1 new replicas have been updated",
    });
  });

  it("waits for a StatefulSet without a partition until current and update revisions match", () => {
    const sts = loadFixture("statefulset-updating.yaml");
    const strategy = (sts.spec as { updateStrategy: Record<string, unknown> }).updateStrategy;
    delete strategy.rollingUpdate;
    Object.assign(sts.status as object, { updatedReplicas: 3 });
    expect(assessHealth(sts)).toEqual({
      status: "Progressing",
      message: "Waiting for rollout to finish: 3 pods are at revision redis-84d5c7f6b9",
    });
  });

  it("calls a StatefulSet without a partition Healthy once its revisions match", () => {
    const sts = loadFixture("statefulset-healthy.yaml");
    delete (sts.spec as { updateStrategy: Record<string, unknown> }).updateStrategy.rollingUpdate;
    expect(assessHealth(sts)).toEqual({ status: "Healthy", message: "3 of 3 pods ready at revision redis-6c8f9d7b5" });
  });

  it("waits for an OnDelete StatefulSet whose pods are not all ready", () => {
    const sts = loadFixture("statefulset-ondelete.yaml");
    Object.assign(sts.status as object, { readyReplicas: 2 });
    expect(assessHealth(sts).status).toBe("Progressing");
  });

  it("judges a DaemonSet with no nodes to run on Healthy", () => {
    const ds = loadFixture("daemonset-healthy.yaml");
    Object.assign(ds.status as object, { desiredNumberScheduled: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberReady: 0 });
    expect(assessHealth(ds)).toEqual({ status: "Healthy", message: "0 of 0 pods updated and available" });
  });

  it("lets a paused Deployment be Suspended even before its new generation is observed", () => {
    const deployment = loadFixture("deployment-paused.yaml");
    deployment.metadata.generation = 9;
    expect(assessHealth(deployment).status).toBe("Suspended");
  });

  it("judges a Deployment without metadata.generation, which was not read from a server, by its replica counts", () => {
    const deployment = loadFixture("deployment-healthy.yaml");
    delete deployment.metadata.generation;
    delete (deployment.status as Record<string, unknown>).observedGeneration;
    expect(assessHealth(deployment)).toEqual({ status: "Healthy", message: "3 of 3 replicas updated and available" });
  });
});
