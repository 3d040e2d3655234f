import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe("Pod health", () => {
  it.each(healthFixtures("pod"))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });

  it("names every stuck container, not just the first", () => {
    const pod = loadFixture("pod-crashloop.yaml");
    const status = pod.status as { containerStatuses: unknown[] };
    status.containerStatuses.push({
      name: "sidecar",
      ready: false,
      restartCount: 0,
      state: { waiting: { reason: "ErrImagePull", message: "not found" } },
    });
    const health = assessHealth(pod);
    expect(health.status).toBe("Degraded");
    expect(health.message).toContain('container "web" is waiting: CrashLoopBackOff');
    expect(health.message).toContain('container "sidecar" is waiting: ErrImagePull: not found (restarted 0 times)');
  });

  it("is Progressing while a pod has no status yet", () => {
    const pod = loadFixture("pod-healthy.yaml");
    delete pod.status;
    expect(assessHealth(pod)).toEqual({
      status: "Progressing",
      message: "Waiting for the pod to be scheduled (no status.phase yet)",
    });
  });

  it("is Unknown for a phase Kubernetes does not define", () => {
    const pod = loadFixture("pod-healthy.yaml");
    (pod.status as Record<string, unknown>).phase = "Exploded";
    expect(assessHealth(pod)).toEqual({ status: "Unknown", message: 'Pod has an unrecognized phase "Exploded"' });
  });

  it("explains a failed pod by an OOMKilled container when the pod gives no reason", () => {
    const pod = loadFixture("pod-failed.yaml");
    const [container] = (pod.status as { containerStatuses: { state: { terminated: Record<string, unknown> } }[] }).containerStatuses;
    container!.state.terminated.reason = "OOMKilled";
    container!.state.terminated.exitCode = 137;
    expect(assessHealth(pod).message).toBe('Pod failed: container "report" terminated (OOMKilled, exit code 137)');
  });

  it("says a container restarted once in the singular", () => {
    const pod = loadFixture("pod-restarted-not-ready.yaml");
    (pod.status as { containerStatuses: Record<string, unknown>[] }).containerStatuses[0]!.restartCount = 1;
    expect(assessHealth(pod).message).toContain("restarted 1 time, last");
  });

  it("does not invent a last exit when the kubelet no longer knows how a restarted container ended", () => {
    const pod = loadFixture("pod-restarted-not-ready.yaml");
    (pod.status as { containerStatuses: Record<string, unknown>[] }).containerStatuses[0]!.lastState = {};
    expect(assessHealth(pod)).toEqual({
      status: "Progressing",
      message: "Pod is running but not ready: ContainersNotReady: containers with unready status: [web]",
    });
  });
});
