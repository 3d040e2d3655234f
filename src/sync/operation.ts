import type { Application, HistoryTrigger, ResourceStatus } from "../model/application.js";
import type { Health } from "../model/health.js";
import type { SyncContext } from "./context.js";
import type { DesiredObject } from "./desired.js";
import { durationMs } from "./duration.js";
import { applySteps, createNamespaces, prune, type ProgressListener } from "./execute.js";
import { intendedInventory } from "./observe.js";
import type { ComparedObject, SyncPlan } from "./plan.js";
import type { ClusterPort } from "./ports.js";
import type { ReconcileRequest } from "./reconcile.js";
import { recordEvent } from "./record.js";
import type { FetchedSource } from "./source.js";
import { stage, StageError } from "./stage.js";
import { nextStatus, type OperationFacts, type ReconcileFacts } from "./status.js";
import { watchForNewerCommit, type Target } from "./target.js";

/** An operation a reconcile runs: a sync that writes, or the verification of one cut short. */
export interface Operation {
  /** Verify an interrupted rollout of this revision (nothing to write, but never seen healthy). */
  resume: boolean;
  trigger: HistoryTrigger;
}

/**
 * What an operation learned, for the reconcile to report: the operation as
 * status records it (Succeeded, or Failed with the failing stage) and the
 * inventory it recorded before its first write. A superseded rollout throws
 * SupersededError instead.
 */
export type OperationReport =
  | { ok: true; record: OperationFacts; resources: ResourceStatus[]; wrote: boolean }
  | { ok: false; record: OperationFacts; resources: ResourceStatus[]; failure: StageError };

/**
 * Whether this reconcile runs an operation (pure). It writes when the plan
 * has writes and the policy allows them: a manual sync or rollback always,
 * an automated app on a new revision or spec, or for drift when it
 * self-heals. An operation cut short (superseded by a refresh, a crash)
 * applied its objects but never saw them healthy: it is verified, not trusted.
 */
export function operationToRun(opts: { app: Application; req: ReconcileRequest; plan: SyncPlan; source: FetchedSource; target: Target }): Operation | undefined {
  const { app, req, plan, source, target } = opts;
  const automated = !!app.spec.syncPolicy?.automated;
  const selfHeal = app.spec.syncPolicy?.automated?.selfHeal ?? true;
  const changedSinceLastSync = source.revision !== app.status?.sync?.revision || app.status?.observedGeneration !== app.metadata.generation;
  const mayApply = !!req.manual || !!target.rollback || (automated && (selfHeal || changedSinceLastSync));
  const prevRun = app.status?.operationState;
  const resume = !plan.writes && prevRun?.phase === "Running" && prevRun.revision === source.revision && (automated || !!req.manual);
  if (!(plan.writes && mayApply) && !resume) return undefined;
  return { resume, trigger: target.rollback ? "Rollback" : req.manual ? "Manual" : "Automated" };
}

/**
 * Runs an operation and reports what it learned: records it as Running
 * (with the inventory it intends) before the first write, so an interruption
 * is visible, resumable and prunable; applies the plan step by step behind
 * health gates while watching for a newer commit; prunes; records Events.
 */
export async function runOperation(opts: {
  ctx: SyncContext;
  app: Application;
  req: ReconcileRequest;
  cluster: ClusterPort;
  plan: SyncPlan;
  desired: DesiredObject[];
  compared: ComparedObject[];
  source: FetchedSource;
  head: string;
  target: Target;
  operation: Operation;
  started: Date;
}): Promise<OperationReport> {
  const { ctx, app, req, cluster, plan, source, target, operation } = opts;
  const prevRun = app.status?.operationState;
  const message = operation.resume ? "verifying an interrupted rollout" : "syncing";
  const startedAt = operation.resume && prevRun?.startedAt ? prevRun.startedAt : opts.started.toISOString();
  const running: OperationFacts = { phase: "Running", revision: source.revision, message, startedAt, trigger: operation.trigger };
  const resources = intendedInventory(app.status?.resources ?? [], opts.compared);
  const waiting: ReconcileFacts = { generation: app.metadata.generation ?? 0, headRevision: opts.head, sync: "OutOfSync", health: { status: "Progressing", message }, operation: running, resources };
  const finished = (phase: "Succeeded" | "Failed", text: string): OperationFacts => ({ ...running, phase, message: text, finishedAt: ctx.clock.now().toISOString() });
  const watching = watchForNewerCommit({ ctx, app, head: opts.head, pinned: target.rollback, signal: req.signal });
  try {
    await stage("ApplyFailed", () => ctx.apps.writeStatus(app, nextStatus(app.status, waiting, ctx.clock.now())));
    if (app.spec.syncPolicy?.syncOptions?.includes("CreateNamespace=true")) {
      await stage("ApplyFailed", () => createNamespaces(cluster, opts.desired.map((d) => d.key.namespace)));
    }
    const timeoutMs = durationMs(app.spec.rollout?.timeout, 300_000);
    const onProgress = progressReporter(ctx, app, waiting);
    const written = await stage("ApplyFailed", () =>
      applySteps({ ctx, app, cluster, plan, gateAll: operation.resume, timeoutMs, signal: watching.signal, ...(req.idle ? { idle: req.idle } : {}), onProgress }),
    );
    const pruned = await stage("PruneFailed", () => prune({ ctx, app, cluster, plan }));
    const verb = target.rollback ? "rolled back to" : "synced";
    await recordEvent(ctx, app, { type: "Normal", reason: target.rollback ? "RolledBack" : "Synced", message: `${verb} ${source.revision.slice(0, 7)}: ${written} applied, ${pruned} pruned` });
    if (pruned) await recordEvent(ctx, app, { type: "Normal", reason: "Pruned", message: `pruned ${pruned} object(s) no longer in Git` });
    return { ok: true, record: finished("Succeeded", `applied ${written}, pruned ${pruned}`), resources, wrote: written + pruned > 0 };
  } catch (err) {
    if (!(err instanceof StageError)) throw err; // superseded: planned again, nothing to report
    return { ok: false, record: finished("Failed", err.error.message), resources, failure: err };
  } finally {
    watching.stop();
  }
}

/**
 * A wait is reported once it has lasted this long, then at most this often:
 * most rollouts finish sooner, and the operation's own "Running" status
 * already says the app is Progressing, so quick ones cost no extra writes.
 */
const PROGRESS_EVERY_MS = 1_000;

/**
 * Reports what one operation waits for in status. Its memory (the last
 * message written, and when) lives as long as the operation: nothing keyed
 * by app outlives it, so a deleted app leaves nothing behind.
 */
function progressReporter(ctx: SyncContext, app: Application, waiting: ReconcileFacts): ProgressListener {
  let last: { message: string; at: number } | undefined;
  return (step: string, health: Health) => {
    const message = `waiting for ${step}: ${health.message}`;
    const now = ctx.clock.now().getTime();
    const previous = last;
    if (!previous) last = { message: "", at: now }; // the wait began
    if (!previous || message === previous.message || now - previous.at < PROGRESS_EVERY_MS) return;
    last = { message, at: now };
    const fresh = ctx.apps.get(app.metadata.namespace ?? "default", app.metadata.name) ?? app;
    void ctx.apps.writeStatus(fresh, nextStatus(fresh.status, { ...waiting, health: { status: "Progressing", message }, progressing: message }, ctx.clock.now())).catch(() => undefined);
  };
}
