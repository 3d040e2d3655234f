import { assessHealth, worst } from "../health/index.js";
import type { Health } from "../model/health.js";
import { keyString } from "../model/resource-key.js";
import type { ClusterPort, Clock } from "./ports.js";
import type { KubeObject } from "../model/object.js";
import type { SyncTask } from "./plan.js";

/** How a health gate ended. */
export type GateResult =
  | { outcome: "healthy"; health: Health }
  | { outcome: "degraded"; health: Health }
  | { outcome: "timeout"; health: Health }
  | { outcome: "superseded"; health: Health; why?: string };

/**
 * Waits until every object of a step is Healthy (or Suspended), driven by
 * watch events with a slow fallback tick, not tight polling. Ends early when
 * one is Degraded, when `timeoutMs` passes, or when `signal` aborts (a newer
 * commit superseded this rollout). `onProgress` sees the waiting message.
 */
export async function waitForHealthy(opts: {
  cluster: ClusterPort;
  clock: Clock;
  tasks: SyncTask[];
  /** Versions the apply returned: an older cached object is not judged (the watch lags the write). */
  minVersions?: Map<string, { generation?: number; resourceVersion?: string }>;
  timeoutMs: number;
  signal: AbortSignal;
  onProgress?: (health: Health) => void;
}): Promise<GateResult> {
  const { cluster, clock, tasks, signal } = opts;
  const keys = new Set(tasks.map((t) => keyString(t.key)));
  const judge = async (quiet: boolean): Promise<Health & { vanished?: string }> => {
    const verdicts = await Promise.all(
      tasks.map(async (t) => {
        const ref = { apiVersion: t.object.apiVersion, kind: t.object.kind, namespace: t.object.metadata.namespace, name: t.object.metadata.name };
        let live = await cluster.getLive({ ...ref, trustCache: true });
        const min = opts.minVersions?.get(keyString(t.key));
        // the cache still lags our own write after a tick without events (the
        // watch may be down: an API server restart), or an object the plan
        // saw is gone from it: ask instead of waiting out the timeout
        if ((quiet && min && (!live || isOlder(live, min))) || (!live && t.live)) live = await cluster.getLive({ ...ref, fresh: true });
        // deleted while we wait (it existed, or we wrote it): only a new plan recreates it
        if (!live && (t.live || (quiet && min))) return { status: "Missing" as const, message: `${t.key.kind}/${t.key.name} was deleted`, vanished: `${t.key.kind}/${t.key.name}` };
        if (min && (!live || isOlder(live, min))) return { status: "Progressing" as const, message: `${t.key.kind}/${t.key.name}: waiting for the applied version to be observed` };
        const h = assessHealth(live);
        return { ...h, message: h.message ? `${t.key.kind}/${t.key.name}: ${h.message}` : "" };
      }),
    );
    // Suspended counts as done for gating: a paused Deployment will not progress
    const vanished = verdicts.find((v) => "vanished" in v)?.vanished;
    const health = worst(verdicts.map((v) => (v.status === "Suspended" ? { status: "Healthy" as const, message: "" } : { status: v.status, message: v.message })));
    return vanished ? { ...health, vanished } : health;
  };
  const deadline = clock.now().getTime() + opts.timeoutMs;
  let wake: () => void = () => undefined;
  const unsubscribe = cluster.onChange(() => wake(), keys);
  const onAbort = () => wake();
  signal.addEventListener("abort", onAbort);
  try {
    let last: Health = { status: "Progressing", message: "" };
    let quiet = false;
    for (;;) {
      if (signal.aborted) return { outcome: "superseded", health: last };
      const judged = await judge(quiet);
      const { vanished, ...health } = judged;
      last = health;
      if (vanished) return { outcome: "superseded", health: last, why: `${vanished} was deleted during the rollout; planning again` };
      if (last.status === "Healthy") return { outcome: "healthy", health: last };
      if (last.status === "Degraded") return { outcome: "degraded", health: last };
      const left = deadline - clock.now().getTime();
      if (left <= 0) return { outcome: "timeout", health: last };
      opts.onProgress?.(last);
      quiet = await new Promise<boolean>((resolve) => {
        const cancel = clock.after(Math.min(left, 5_000), () => resolve(true));
        wake = () => {
          cancel();
          resolve(false);
        };
      });
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}

function isOlder(live: KubeObject, min: { generation?: number; resourceVersion?: string }): boolean {
  if (min.generation !== undefined && live.metadata.generation !== undefined) return live.metadata.generation < min.generation;
  const a = Number(live.metadata.resourceVersion), b = Number(min.resourceVersion);
  return Number.isFinite(a) && Number.isFinite(b) && a < b;
}
