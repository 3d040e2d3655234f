import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KubeObject } from "../../src/model/object.js";
import { keyOf, keyString } from "../../src/model/resource-key.js";
import { systemClock } from "../../src/sync/clock.js";
import { waitForHealthy } from "../../src/sync/health-gate.js";
import type { SyncTask } from "../../src/sync/plan.js";
import type { ClusterPort, LiveRef } from "../../src/sync/ports.js";

const cm = (resourceVersion: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n", resourceVersion } });

/** A cluster whose watch cache is stuck at an old version; GETs see the new one. */
function stalledWatch(): ClusterPort & { gets: number } {
  const port = {
    gets: 0,
    kindOf: async () => ({ group: "", version: "v1", kind: "ConfigMap", namespaced: true }),
    scopeOf: () => "Namespaced" as const,
    getLive: async (ref: LiveRef) => {
      if (ref.fresh) {
        port.gets++;
        return cm("20");
      }
      return cm("10");
    },
    apply: async (o: KubeObject) => o,
    delete: async () => undefined,
    onChange: () => () => undefined,
  };
  return port;
}

describe("waitForHealthy when the watch lags the write", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("asks the API server after a quiet tick instead of waiting out the timeout (a watch down after an API server restart)", async () => {
    const cluster = stalledWatch();
    const task: SyncTask = { action: "update", key: keyOf(cm("20")), object: cm("20"), live: cm("10") };
    const gate = waitForHealthy({ clock: systemClock, cluster, tasks: [task], minVersions: new Map([[keyString(task.key), { resourceVersion: "20" }]]), timeoutMs: 300_000, signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(gate).resolves.toMatchObject({ outcome: "healthy" });
    expect(cluster.gets).toBe(1);
  });

  it("ends at once, to plan again, when an object the plan saw is deleted while it waits (instead of waiting for it forever)", async () => {
    const gone: ClusterPort = { ...stalledWatch(), getLive: async () => undefined };
    const task: SyncTask = { action: "skip", key: keyOf(cm("5")), object: cm("5"), live: cm("5") };
    const gate = waitForHealthy({ clock: systemClock, cluster: gone, tasks: [task], timeoutMs: 300_000, signal: new AbortController().signal });
    await expect(gate).resolves.toMatchObject({ outcome: "superseded", why: "ConfigMap/c was deleted during the rollout; planning again" });
  });

  it("still waits for an object it just created that the watch has not delivered yet", async () => {
    let created = false;
    const lagging: ClusterPort = { ...stalledWatch(), getLive: async (ref: LiveRef) => (ref.fresh && created ? cm("20") : undefined) };
    const task: SyncTask = { action: "create", key: keyOf(cm("20")), object: cm("20"), live: undefined };
    const gate = waitForHealthy({ clock: systemClock, cluster: lagging, tasks: [task], minVersions: new Map([[keyString(task.key), { resourceVersion: "20" }]]), timeoutMs: 300_000, signal: new AbortController().signal });
    created = true;
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(gate).resolves.toMatchObject({ outcome: "healthy" });
  });
});
