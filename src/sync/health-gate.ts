import { assessHealth, worst } from "../health/index.js";
import type { Health } from "../model/health.js";
import { keyString } from "../model/resource-key.js";
import type { ClusterPort } from "./ports.js";
import type { KubeObject } from "../model/object.js";
import type { SyncTask } from "./plan.js";

/** How a health gate ended. */
export type GateResult =
  | { outcome: "healthy"; health: Health }
  | { outcome: "degraded"; health: Health }
  | { outcome: "timeout"; health: Health }
  | { outcome: "superseded"; health: Health };

/**
 * Waits until every object of a step is Healthy (or Suspended), driven by
 * watch events with a slow fallback tick, not tight polling. Ends early when
 * one is Degraded, when `timeoutMs` passes, or when `signal` aborts (a newer
 * commit superseded this rollout). `onProgress` sees the waiting message.
 */
export async function waitForHealthy(opts: {
  cluster: ClusterPort;
  tasks: SyncTask[];
  /** Versions the apply returned: an older cached object is not judged (the watch lags the write). */
  minVersions?: Map<string, { generation?: number; resourceVersion?: string }>;
  timeoutMs: number;
  signal: AbortSignal;
  onProgress?: (health: Health) => void;
}): Promise<GateResult> {
  const { cluster, tasks, signal } = opts;
  const keys = new Set(tasks.map((t) => keyString(t.key)));
  const judge = async (): Promise<Health> => {
    const verdicts = await Promise.all(
      tasks.map(async (t) => {
        const live = await cluster.getLive({ apiVersion: t.object.apiVersion, kind: t.object.kind, namespace: t.object.metadata.namespace, name: t.object.metadata.name, trustCache: true });
        const min = opts.minVersions?.get(keyString(t.key));
        if (min && (!live || isOlder(live, min))) return { status: "Progressing" as const, message: `${t.key.kind}/${t.key.name}: waiting for the applied version to be observed` };
        const h = assessHealth(live);
        return { ...h, message: h.message ? `${t.key.kind}/${t.key.name}: ${h.message}` : "" };
      }),
    );
    // Suspended counts as done for gating: a paused Deployment will not progress
    return worst(verdicts.map((v) => (v.status === "Suspended" ? { status: "Healthy" as const, message: "" } : v)));
  };
  const deadline = Date.now() + opts.timeoutMs;
  let wake: () => void = () => undefined;
  const unsubscribe = cluster.onChange(() => wake(), keys);
  const onAbort = () => wake();
  signal.addEventListener("abort", onAbort);
  try {
    let last: Health = { status: "Progressing", message: "" };
    for (;;) {
      if (signal.aborted) return { outcome: "superseded", health: last };
      last = await judge();
      if (last.status === "Healthy") return { outcome: "healthy", health: last };
      if (last.status === "Degraded") return { outcome: "degraded", health: last };
      const left = deadline - Date.now();
      if (left <= 0) return { outcome: "timeout", health: last };
      opts.onProgress?.(last);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 5_000));
        wake = () => {
          clearTimeout(t);
          resolve();
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
