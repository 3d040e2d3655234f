import type { Application, HistoryTrigger } from "../model/application.js";
import type { Health } from "../model/health.js";
import type { SyncContext } from "./context.js";
import type { DesiredObject } from "./desired.js";
import { durationMs } from "./duration.js";
import { applySteps, createNamespaces, prune } from "./execute.js";
import { intendedInventory } from "./observe.js";
import type { ComparedObject, SyncPlan } from "./plan.js";
import type { ClusterPort } from "./ports.js";
import type { ReconcileRequest } from "./reconcile.js";
import type { FetchedSource } from "./source.js";
import { stage } from "./stage.js";
import { nextStatus, type ReconcileFacts } from "./status.js";
import { watchForNewerCommit, type Target } from "./target.js";

/** An operation a reconcile runs: a sync that writes, or the verification of one cut short. */
export interface Operation {
  /** Verify an interrupted rollout of this revision (nothing to write, but never seen healthy). */
  resume: boolean;
  trigger: HistoryTrigger;
}

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
 * Runs an operation and returns whether it wrote: records it as Running
 * (with the inventory it intends) before the first write, so an interruption
 * is visible, resumable and prunable; applies the plan step by step behind
 * health gates while watching for a newer commit; prunes; records Events.
 * `facts.operation` and `facts.resources` follow along, so a failure caught
 * by the reconcile reports this operation as Failed.
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
  facts: ReconcileFacts;
  started: Date;
}): Promise<boolean> {
  const { ctx, app, req, cluster, plan, source, target, operation, facts } = opts;
  const prevRun = app.status?.operationState;
  lastProgress.delete(idOf(app)); // a new wait
  const message = operation.resume ? "verifying an interrupted rollout" : "syncing";
  const startedAt = operation.resume && prevRun?.startedAt ? prevRun.startedAt : opts.started.toISOString();
  facts.operation = { phase: "Running", revision: source.revision, message, startedAt, trigger: operation.trigger };
  facts.resources = intendedInventory(app.status?.resources ?? [], opts.compared);
  await ctx.apps.writeStatus(app, nextStatus(app.status, { ...facts, sync: "OutOfSync", health: { status: "Progressing", message } }, ctx.clock.now()));
  const watching = watchForNewerCommit({ ctx, app, head: opts.head, pinned: target.rollback, signal: req.signal });
  try {
    if (app.spec.syncPolicy?.syncOptions?.includes("CreateNamespace=true")) {
      await stage("ApplyFailed", () => createNamespaces(cluster, opts.desired.map((d) => d.key.namespace)));
    }
    const timeoutMs = durationMs(app.spec.rollout?.timeout, 300_000);
    const onProgress = (step: string, h: Health) => void progress(ctx, app, facts, step, h);
    const written = await stage("ApplyFailed", () =>
      applySteps({ ctx, app, cluster, plan, gateAll: operation.resume, timeoutMs, signal: watching.signal, ...(req.idle ? { idle: req.idle } : {}), onProgress }),
    );
    const pruned = await stage("PruneFailed", () => prune({ ctx, app, cluster, plan }));
    facts.operation = { ...facts.operation, phase: "Succeeded", message: `applied ${written}, pruned ${pruned}`, finishedAt: ctx.clock.now().toISOString() };
    const verb = target.rollback ? "rolled back to" : "synced";
    await ctx.apps.recordEvent(app, { type: "Normal", reason: target.rollback ? "RolledBack" : "Synced", message: `${verb} ${source.revision.slice(0, 7)}: ${written} applied, ${pruned} pruned` });
    if (pruned) await ctx.apps.recordEvent(app, { type: "Normal", reason: "Pruned", message: `pruned ${pruned} object(s) no longer in Git` });
    return written + pruned > 0;
  } finally {
    watching.stop();
  }
}

function idOf(app: Application): string {
  return `${app.metadata.namespace}/${app.metadata.name}`;
}

/** Last progress message written per app (empty: none yet in this operation), and when. */
const lastProgress = new Map<string, { message: string; at: number }>();
/**
 * A wait is reported once it has lasted this long, then at most this often:
 * most rollouts finish sooner, and the operation's own "Running" status
 * already says the app is Progressing, so quick ones cost no extra writes.
 */
const PROGRESS_EVERY_MS = 1_000;
async function progress(ctx: SyncContext, app: Application, facts: ReconcileFacts, step: string, health: Health): Promise<void> {
  const message = `waiting for ${step}: ${health.message}`;
  const id = idOf(app);
  const now = ctx.clock.now().getTime();
  const last = lastProgress.get(id);
  if (!last) lastProgress.set(id, { message: "", at: now }); // the wait began
  if (!last || message === last.message || now - last.at < PROGRESS_EVERY_MS) return;
  lastProgress.set(id, { message, at: now });
  const fresh = ctx.apps.get(app.metadata.namespace ?? "default", app.metadata.name) ?? app;
  await ctx.apps.writeStatus(fresh, nextStatus(fresh.status, { ...facts, sync: "OutOfSync", health: { status: "Progressing", message }, progressing: message }, ctx.clock.now())).catch(() => undefined);
}
