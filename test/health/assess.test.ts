import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import type { KubeObject } from "../../src/model/index.js";
import { loadFixture } from "./fixtures.js";

describe("assessHealth", () => {
  it.each([null, undefined])("calls %s Missing", (obj) => {
    expect(assessHealth(obj)).toEqual({ status: "Missing", message: "Object does not exist in the cluster" });
  });

  it("calls a terminating object Progressing and names the finalizers it waits for", () => {
    const pvc = loadFixture("persistentvolumeclaim-bound.yaml");
    pvc.metadata.deletionTimestamp = "2025-05-06T12:00:00Z";
    expect(assessHealth(pvc)).toEqual({
      status: "Progressing",
      message: "Terminating since 2025-05-06T12:00:00Z; waiting for finalizers kubernetes.io/pvc-protection",
    });
  });

  it("calls a terminating Deployment Progressing even though its rollout is complete", () => {
    const deployment = loadFixture("deployment-healthy.yaml");
    deployment.metadata.deletionTimestamp = "2025-05-06T12:00:00Z";
    expect(assessHealth(deployment)).toEqual({ status: "Progressing", message: "Terminating since 2025-05-06T12:00:00Z" });
  });

  it("is Unknown, naming the field, when status is not an object", () => {
    const deployment = loadFixture("deployment-healthy.yaml");
    deployment.status = "fine";
    expect(assessHealth(deployment)).toEqual({ status: "Unknown", message: "Cannot assess health: status is not an object" });
  });

  it("is Unknown when a replica count is not a number", () => {
    const deployment = loadFixture("deployment-healthy.yaml");
    (deployment.status as Record<string, unknown>).availableReplicas = "3";
    expect(assessHealth(deployment)).toEqual({
      status: "Unknown",
      message: "Cannot assess health: status.availableReplicas is not a number",
    });
  });

  it("is Unknown when conditions are not a list", () => {
    const ks = loadFixture("kustomization-healthy.yaml");
    (ks.status as Record<string, unknown>).conditions = { type: "Ready" };
    expect(assessHealth(ks).message).toBe("Cannot assess health: status.conditions is not a list");
  });

  it("is Unknown when a condition has no status", () => {
    const crd = loadFixture("customresourcedefinition-established.yaml");
    (crd.status as { conditions: unknown[] }).conditions[1] = { type: "Established" };
    expect(assessHealth(crd)).toEqual({
      status: "Unknown",
      message: "Cannot assess health: status.conditions[1] is not a condition with type and status",
    });
  });

  it("is Unknown for an object without a kind", () => {
    const obj = { apiVersion: "v1", metadata: { name: "x" } } as unknown as KubeObject;
    expect(assessHealth(obj)).toEqual({ status: "Unknown", message: "Cannot assess health: kind is not set" });
  });

  it("judges a custom resource named like a built-in kind by its conditions, not the built-in rule", () => {
    const custom = {
      apiVersion: "example.com/v1",
      kind: "Deployment",
      metadata: { name: "web", generation: 1 },
      status: { conditions: [{ type: "Ready", status: "True", reason: "Deployed", message: "all good" }] },
    };
    expect(assessHealth(custom)).toEqual({ status: "Healthy", message: "Ready: Deployed: all good" });
  });

  it("calls a kind without status Healthy once it exists", () => {
    const role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "reader", namespace: "team-a" }, rules: [] };
    expect(assessHealth(role)).toEqual({ status: "Healthy", message: "Role exists" });
  });

  it("is Unknown when a phase is not a string", () => {
    const pod = loadFixture("pod-healthy.yaml");
    (pod.status as Record<string, unknown>).phase = 42;
    expect(assessHealth(pod)).toEqual({ status: "Unknown", message: "Cannot assess health: status.phase is not a string" });
  });

  it("is Unknown when spec.paused is not a boolean", () => {
    const deployment = loadFixture("deployment-healthy.yaml");
    (deployment.spec as Record<string, unknown>).paused = "true";
    expect(assessHealth(deployment)).toEqual({ status: "Unknown", message: "Cannot assess health: spec.paused is not a boolean" });
  });

  it("is Unknown when annotations are not a map", () => {
    const pvc = loadFixture("persistentvolumeclaim-pending.yaml");
    (pvc.metadata as Record<string, unknown>).annotations = ["volume.kubernetes.io/selected-node"];
    expect(assessHealth(pvc)).toEqual({ status: "Unknown", message: "Cannot assess health: metadata.annotations is not an object" });
  });
});
