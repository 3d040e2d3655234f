import type { Application } from "../model/application.js";
import type { Health } from "../model/health.js";
import type { KubeObject } from "../model/object.js";
import { keyString } from "../model/resource-key.js";
import { PlumbError } from "../errors.js";
import type { SyncContext } from "./context.js";
import { driftId, objectError, validateDeferred } from "./compare.js";
import { mapLimit } from "./concurrency.js";
import { waitForHealthy } from "./health-gate.js";
import type { SyncPlan, SyncTask } from "./plan.js";
import type { ClusterPort } from "./ports.js";
import { compareOrder, phaseOf, PHASES } from "./order.js";

/** Rollout failed its health gate. */
export class HealthCheckError extends PlumbError {
  readonly health: Health;
  constructor(message: string, health: Health) {
    super(message, { code: "HealthCheckFailed" });
    this.health = health;
  }
}

/** A newer commit arrived while a rollout was waiting, or an object it waited on was deleted: plan again. */
export class SupersededError extends PlumbError {
  constructor(message = "superseded by a newer commit") {
    super(message, { code: "Superseded" });
  }
}

/** Progress callback: the step and what it waits for. */
export type ProgressListener = (step: string, health: Health) => void;

/**
 * Applies a plan step by step. Each step's writes go out together, then the
 * step must turn Healthy before the next starts (the last one too). An apply
 * error stops the sync where it is; a Degraded or timed-out gate throws
 * HealthCheckError; an abort throws SupersededError.
 */
export async function applySteps(opts: {
  ctx: SyncContext;
  app: Application;
  cluster: ClusterPort;
  plan: SyncPlan;
  timeoutMs: number;
  signal: AbortSignal;
  /** Gate every step even when nothing is written (verifying an interrupted rollout). */
  gateAll?: boolean;
  onProgress?: ProgressListener;
  /** Runs the health-gate waits without holding a reconcile slot. */
  idle?: <T>(wait: () => Promise<T>) => Promise<T>;
}): Promise<number> {
  const { ctx, app, cluster, plan, signal } = opts;
  let written = 0;
  const isWrite = (t: SyncTask) => t.action === "create" || t.action === "update";
  const lastWrite = opts.gateAll ? plan.steps.length - 1 : plan.steps.findLastIndex((s) => s.tasks.some(isWrite));
  // every step up to the last one that writes is gated, unchanged objects
  // included: wave 1 never lands before wave 0 is Healthy
  let deferred = plan.steps.flatMap((s) => s.tasks.filter((t) => t.unvalidated && isWrite(t)));
  for (const step of plan.steps.slice(0, lastWrite + 1)) {
    if (deferred.length && !BOOTSTRAP_STEPS.has(step.name)) {
      // their namespaces and CRDs exist now: validate them before writing any of them
      await validateDeferred({ cluster, tasks: deferred });
      deferred = [];
    }
    const writes = step.tasks.filter(isWrite);
    const applied = await mapLimit(writes, 8, (t) => applyOne(ctx, app, cluster, t));
    written += writes.length;
    const gated = step.tasks.filter((t) => t.action !== "conflict");
    const idle = opts.idle ?? ((wait) => wait());
    const gate = await idle(() =>
      waitForHealthy({
        cluster,
        clock: ctx.clock,
        tasks: gated,
        minVersions: new Map(applied.map((res, i) => [keyString(writes[i]!.key), res.metadata] as const)),
        timeoutMs: opts.timeoutMs,
        signal,
        onProgress: (h) => opts.onProgress?.(step.name, h),
      }),
    );
    if (gate.outcome === "superseded") throw new SupersededError(gate.why);
    if (gate.outcome === "degraded") throw new HealthCheckError(`${step.name} is Degraded: ${gate.health.message}`, gate.health);
    if (gate.outcome === "timeout") {
      throw new HealthCheckError(`${step.name} did not become Healthy within ${Math.round(opts.timeoutMs / 1000)}s: ${gate.health.message}`, gate.health);
    }
  }
  return written;
}

/** Steps that create what other objects need before they can be dry-run: Namespaces and CRDs. */
const BOOTSTRAP_STEPS = new Set<string>(["namespaces", "crds"]);

async function applyOne(ctx: SyncContext, app: Application, cluster: ClusterPort, t: SyncTask): Promise<KubeObject> {
  const d = { key: t.key, object: t.object, source: t.source ?? { file: "(unknown)", line: 0 } };
  try {
    const res = await cluster.apply(t.apply ?? t.object);
    ctx.drift.remember(driftId(app, t), t.object, res); // the manifest is in sync with the result, ignored fields aside
    ctx.metrics.objectWritten(t.key.kind, t.action === "create" ? "create" : "update");
    ctx.logger.info({ key: keyString(t.key), action: t.action }, "applied");
    return res;
  } catch (err) {
    throw objectError(d, err);
  }
}

/** Creates namespaces the app's objects need when `CreateNamespace=true` (never tracked, never pruned). */
export async function createNamespaces(cluster: ClusterPort, namespaces: Iterable<string>): Promise<void> {
  for (const name of new Set(namespaces)) {
    if (!name) continue;
    const live = await cluster.getLive({ apiVersion: "v1", kind: "Namespace", name });
    if (!live) await cluster.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  }
}

/**
 * Deletes pruned objects, last-applied first (webhooks before workloads,
 * namespaces last), each only if its uid is still the one Plumb tracked.
 */
export async function prune(opts: { ctx: SyncContext; app: Application; cluster: ClusterPort; plan: SyncPlan }): Promise<number> {
  const { ctx, app, cluster, plan } = opts;
  const doomed = plan.prunes
    .filter((p) => p.action === "prune")
    .sort((a, b) => compareOrder([PHASES.indexOf(phaseOf(b.key))], [PHASES.indexOf(phaseOf(a.key))]));
  for (const p of doomed) {
    await cluster.delete({ apiVersion: p.apiVersion, kind: p.key.kind, namespace: p.key.namespace || undefined, name: p.key.name, ...(p.uid ? { uid: p.uid } : {}) });
    ctx.drift.forget(driftId(app, p));
    ctx.metrics.objectWritten(p.key.kind, "prune");
    ctx.logger.info({ key: keyString(p.key), action: "prune" }, "pruned");
  }
  return doomed.length;
}
