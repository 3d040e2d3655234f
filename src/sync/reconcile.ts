import { randomUUID } from "node:crypto";
import type { Application, HistoryTrigger } from "../model/application.js";
import type { Health } from "../model/health.js";
import { asPlumbError } from "../errors.js";
import type { SyncContext } from "./context.js";
import { compareWithLive } from "./compare.js";
import { appTrackingId, renderDesired } from "./desired.js";
import { applySteps, createNamespaces, prune, HealthCheckError, SupersededError } from "./execute.js";
import { findOrphans, observeResources } from "./observe.js";
import { planSync } from "./plan.js";
import { chooseTarget, watchForNewerCommit } from "./target.js";
import { fetchSource, resolveHead } from "./source.js";
import { nextStatus, type FailureReason, type ReconcileFacts } from "./status.js";
import { durationMs } from "./duration.js";

/** Why a reconcile runs and what it may do. */
export interface ReconcileRequest {
  /** An explicit sync (API/CLI): applies even without an automated policy, retries a rolled-back revision. */
  manual?: boolean;
  /** Roll back to this commit (API rollback or automatic rollback). */
  rollbackTo?: string;
  signal?: AbortSignal;
  /**
   * Runs a long wait (a health gate) without holding a reconcile slot, so
   * other apps proceed meanwhile; the scheduler provides it.
   */
  idle?: <T>(wait: () => Promise<T>) => Promise<T>;
}

/** How a reconcile ended, for the scheduler. */
export interface ReconcileResult {
  outcome: "synced" | "out-of-sync" | "failed" | "superseded" | "skipped";
  /** Terminal failures wait for a spec or revision change instead of retrying. */
  terminal?: boolean;
}

/** A stage failed; carries the condition reason. */
class StageError extends Error {
  readonly reason: FailureReason;
  readonly error: Error & { terminal?: boolean; code?: string };
  constructor(reason: FailureReason, error: Error & { terminal?: boolean; code?: string }) {
    super(error.message, { cause: error });
    this.reason = reason;
    this.error = error;
  }
}

async function stage<T>(reason: FailureReason, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof StageError || err instanceof SupersededError) throw err;
    if (err instanceof HealthCheckError) throw new StageError("HealthCheckFailed", err);
    throw new StageError(reason, asPlumbError(err));
  }
}

/**
 * One reconcile of one Application, top to bottom: resolve the wanted
 * revision, fetch, render, compare with the cluster, plan, apply step by step
 * behind health gates, prune, and record status. A failing stage becomes a
 * condition reason in one place (the catch below); nothing is pruned unless
 * every earlier stage succeeded.
 */
export async function reconcile(ctx: SyncContext, app: Application, req: ReconcileRequest = {}): Promise<ReconcileResult> {
  const log = ctx.logger.child({ app: `${app.metadata.namespace}/${app.metadata.name}`, reconcileId: randomUUID().slice(0, 8) });
  const started = ctx.clock.now();
  const cluster = ctx.clusterFor(app);
  const automated = !!app.spec.syncPolicy?.automated;
  let facts: ReconcileFacts = { generation: app.metadata.generation ?? 0, sync: "Unknown", health: app.status?.health ?? { status: "Unknown", message: "" } };
  try {
    const head = await stage("GitFetchFailed", () => resolveHead(ctx, app));
    facts.headRevision = head;
    if (isStalledOn(app, head) && !req.manual) return { outcome: "skipped", terminal: true };
    const target = chooseTarget(app, head, req);
    const source = await stage("GitFetchFailed", () => fetchSource(ctx, app, { headRevision: head, revision: target.revision }));
    const desired = await stage("RenderFailed", () => renderDesired({ app, source, cluster }));
    const compared = await stage("ComparisonFailed", () => compareWithLive({ ctx, app, cluster, desired }));
    const orphans = await stage("ComparisonFailed", () => findOrphans({ app, cluster, desired }));
    const plan = planSync({ compared, orphans, trackingIdOf: (k) => appTrackingId(app, k), prune: !!app.spec.syncPolicy?.automated?.prune || !!req.manual });
    const conflicts = plan.steps.flatMap((s) => s.tasks).filter((t) => t.action === "conflict");
    let wrote = false;
    const selfHeal = app.spec.syncPolicy?.automated?.selfHeal ?? true;
    const changedSinceLastSync = source.revision !== app.status?.sync?.revision || app.status?.observedGeneration !== app.metadata.generation;
    const mayApply = !!req.manual || !!target.rollback || (automated && (selfHeal || changedSinceLastSync));
    // an operation cut short (superseded by a refresh, a crash) applied its
    // objects but never saw them healthy: verify it now instead of trusting it
    const prevRun = app.status?.operationState;
    const resume = plan.inSync && prevRun?.phase === "Running" && prevRun.revision === source.revision && (automated || !!req.manual);
    let operated = false;
    if ((!plan.inSync && mayApply) || resume) {
      operated = true;
      const trigger: HistoryTrigger = target.rollback ? "Rollback" : req.manual ? "Manual" : "Automated";
      facts.operation = { phase: "Running", revision: source.revision, message: resume ? "verifying an interrupted rollout" : "syncing", startedAt: resume && prevRun?.startedAt ? prevRun.startedAt : started.toISOString(), trigger };
      // recorded before the first write, so an interruption is visible and resumable
      await ctx.apps.writeStatus(app, nextStatus(app.status, { ...facts, sync: "OutOfSync", health: { status: "Progressing", message: facts.operation.message } }, ctx.clock.now()));
      const stopWatching = watchForNewerCommit({ ctx, app, head, pinned: target.rollback, signal: req.signal });
      try {
        if (app.spec.syncPolicy?.syncOptions?.includes("CreateNamespace=true")) {
          await stage("ApplyFailed", () => createNamespaces(cluster, desired.map((d) => d.key.namespace)));
        }
        const written = await stage("ApplyFailed", () =>
          applySteps({ ctx, app, cluster, plan, gateAll: resume, timeoutMs: durationMs(app.spec.rollout?.timeout, 300_000), signal: stopWatching.signal, ...(req.idle ? { idle: req.idle } : {}), onProgress: (step, h) => void progress(ctx, app, facts, step, h) }),
        );
        const pruned = await stage("PruneFailed", () => prune({ ctx, app, cluster, plan }));
        wrote = written + pruned > 0;
        facts.operation = { ...facts.operation, phase: "Succeeded", message: `applied ${written}, pruned ${pruned}`, finishedAt: ctx.clock.now().toISOString() };
        await ctx.apps.recordEvent(app, { type: "Normal", reason: target.rollback ? "RolledBack" : "Synced", message: `${target.rollback ? "rolled back to" : "synced"} ${source.revision.slice(0, 7)}: ${written} applied, ${pruned} pruned` });
        if (pruned) await ctx.apps.recordEvent(app, { type: "Normal", reason: "Pruned", message: `pruned ${pruned} object(s) no longer in Git` });
      } finally {
        stopWatching.stop();
      }
    }
    const observed = await observeResources({ cluster, compared, plan, applied: wrote || plan.inSync });
    const applied = plan.inSync || (facts.operation?.phase === "Succeeded" && conflicts.length === 0);
    facts = { ...facts, deployedRevision: applied ? source.revision : app.status?.sync?.revision, sync: applied && source.revision === head ? "Synced" : target.rollback && applied ? "Synced" : "OutOfSync", ...observed };
    if (!operated) delete facts.operation;
    if (target.rollback) facts.rolledBack = { from: target.rollback.from, to: source.revision };
    const prevOp = app.status?.operationState;
    if (!wrote && prevOp?.phase === "Failed" && prevOp.revision === source.revision && facts.health.status !== "Healthy") {
      // the failed rollout of this revision still stands: keep saying so
      facts.failure = { reason: "HealthCheckFailed", message: prevOp.message ?? "rollout failed", terminal: false };
    }
    if (conflicts.length) {
      const c = conflicts[0]!;
      facts.failure = { reason: "Conflict", message: `${c.key.kind} ${c.key.namespace}/${c.key.name} is owned by ${c.conflictWith}; not touching it (${conflicts.length} conflict(s))`, terminal: false };
    }
    await ctx.apps.writeStatus(app, nextStatus(app.status, facts, ctx.clock.now()));
    ctx.metrics.syncFinished(wrote ? "applied" : "unchanged", seconds(ctx, started));
    log.info({ revision: source.revision, sync: facts.sync, health: facts.health.status, wrote, durationMs: Date.now() - started.getTime() }, "reconciled");
    return { outcome: facts.sync === "Synced" ? "synced" : "out-of-sync" };
  } catch (err) {
    if (err instanceof SupersededError) {
      log.info("rollout superseded by a newer commit");
      ctx.metrics.syncFinished("superseded", seconds(ctx, started));
      return { outcome: "superseded" };
    }
    const failure = err instanceof StageError ? err : new StageError("ApplyFailed", asPlumbError(err));
    return failed(ctx, app, req, facts, failure, started, log);
  }
}

async function failed(ctx: SyncContext, app: Application, req: ReconcileRequest, facts: ReconcileFacts, err: StageError, started: Date, log: SyncContext["logger"]): Promise<ReconcileResult> {
  const terminal = err.error.terminal === true;
  facts.failure = { reason: err.reason, message: err.error.message, terminal };
  if (facts.operation) facts.operation = { ...facts.operation, phase: "Failed", message: err.error.message, finishedAt: ctx.clock.now().toISOString() };
  if (err.error instanceof HealthCheckError) facts.health = err.error.health;
  const prevMessage = app.status?.conditions?.find((c) => c.type === "Ready")?.message;
  if (prevMessage !== err.error.message) await ctx.apps.recordEvent(app, { type: "Warning", reason: err.reason, message: err.error.message }).catch(() => undefined);
  log.warn({ reason: err.reason, code: err.error.code, err: err.error.message, terminal }, "reconcile failed");
  ctx.metrics.syncFinished("failed", seconds(ctx, started));
  const rollbackTo = app.status?.lastHealthyRevision;
  const canRollBack = err.reason === "HealthCheckFailed" && app.spec.rollout?.autoRollback && rollbackTo && facts.operation && facts.operation.revision !== rollbackTo && !req.rollbackTo;
  await ctx.apps.writeStatus(app, nextStatus(app.status, { ...facts, sync: err.reason === "GitFetchFailed" || err.reason === "RenderFailed" ? "Unknown" : "OutOfSync" }, ctx.clock.now())).catch((e: unknown) => log.warn({ err: (e as Error).message }, "status write failed"));
  if (canRollBack) {
    log.warn({ from: facts.operation!.revision, to: rollbackTo }, "rolling back to the last healthy revision");
    const fresh = ctx.apps.get(app.metadata.namespace ?? "default", app.metadata.name) ?? app;
    return reconcile(ctx, fresh, { ...req, rollbackTo, manual: false });
  }
  return { outcome: "failed", terminal };
}

function isStalledOn(app: Application, head: string): boolean {
  const st = app.status;
  const stalled = st?.conditions?.find((c) => c.type === "Stalled")?.status === "True";
  return stalled && st?.observedGeneration === app.metadata.generation && st?.sync?.revision === head;
}

const lastProgress = new Map<string, string>();
async function progress(ctx: SyncContext, app: Application, facts: ReconcileFacts, step: string, health: Health): Promise<void> {
  const message = `waiting for ${step}: ${health.message}`;
  const id = `${app.metadata.namespace}/${app.metadata.name}`;
  if (message === lastProgress.get(id)) return;
  lastProgress.set(id, message);
  const fresh = ctx.apps.get(app.metadata.namespace ?? "default", app.metadata.name) ?? app;
  await ctx.apps.writeStatus(fresh, nextStatus(fresh.status, { ...facts, sync: "OutOfSync", health: { status: "Progressing", message }, progressing: message }, ctx.clock.now())).catch(() => undefined);
}

function seconds(ctx: SyncContext, started: Date): number {
  return (ctx.clock.now().getTime() - started.getTime()) / 1000;
}
