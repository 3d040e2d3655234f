import { randomUUID } from "node:crypto";
import type { Application, HistoryTrigger } from "../model/application.js";
import type { Health } from "../model/health.js";
import { asPlumbError, GitError } from "../errors.js";
import type { SyncContext } from "./context.js";
import { compareWithLive } from "./compare.js";
import { appTrackingId, renderDesired } from "./desired.js";
import { applySteps, createNamespaces, prune, HealthCheckError, SupersededError } from "./execute.js";
import { findOrphans, intendedInventory, observeResources } from "./observe.js";
import { planSync } from "./plan.js";
import { chooseTarget, watchForNewerCommit } from "./target.js";
import { fetchSource, headMaxAgeMs, resolveHead } from "./source.js";
import { nextStatus, type FailureReason, type ReconcileFacts } from "./status.js";
import { durationMs } from "./duration.js";
import { validateSpec } from "./spec.js";

/** Why a reconcile runs and what it may do. */
export interface ReconcileRequest {
  /** An explicit sync (API/CLI): applies even without an automated policy, retries a rolled-back revision. */
  manual?: boolean;
  /** Roll back to this commit (API rollback or automatic rollback). */
  rollbackTo?: string;
  /**
   * A head resolved at or after this time (epoch ms) is fresh enough; by
   * default one up to a tenth of the interval old is (see headMaxAgeMs). A
   * webhook or API request sets it to when it came in.
   */
  headSince?: number;
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
    if (err instanceof GitError) throw new StageError("GitFetchFailed", err); // e.g. a checkout the render asked for
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
    await stage("InvalidSpec", async () => validateSpec(app));
    const head = await stage("GitFetchFailed", () => resolveHead(ctx, app, { since: req.headSince ?? Date.now() - headMaxAgeMs(app) }));
    facts.headRevision = head;
    if (isStalledOn(app, head) && !req.manual) return { outcome: "skipped", terminal: true };
    const target = chooseTarget(app, head, req);
    const source = await stage("GitFetchFailed", () => fetchSource(ctx, app, { headRevision: head, revision: target.revision }));
    const desired = await stage("RenderFailed", () => renderDesired({ app, source, cluster, ...(ctx.renders ? { memo: ctx.renders } : {}) }));
    const compared = await stage("ComparisonFailed", () => compareWithLive({ ctx, app, cluster, desired }));
    const orphans = await stage("ComparisonFailed", () => findOrphans({ app, cluster, desired }));
    const plan = planSync({ compared, orphans, trackingIdOf: (k) => appTrackingId(app, k), prune: !!app.spec.syncPolicy?.automated?.prune || !!req.manual });
    const conflicts = plan.steps.flatMap((s) => s.tasks).filter((t) => t.action === "conflict");
    const kept = plan.prunes.filter((p) => p.action === "extraneous");
    let wrote = false;
    const selfHeal = app.spec.syncPolicy?.automated?.selfHeal ?? true;
    const changedSinceLastSync = source.revision !== app.status?.sync?.revision || app.status?.observedGeneration !== app.metadata.generation;
    const mayApply = !!req.manual || !!target.rollback || (automated && (selfHeal || changedSinceLastSync));
    // an operation cut short (superseded by a refresh, a crash) applied its
    // objects but never saw them healthy: verify it now instead of trusting it
    const prevRun = app.status?.operationState;
    const resume = !plan.writes && prevRun?.phase === "Running" && prevRun.revision === source.revision && (automated || !!req.manual);
    let operated = false;
    if ((plan.writes && mayApply) || resume) {
      operated = true;
      lastProgress.delete(`${app.metadata.namespace}/${app.metadata.name}`); // a new wait
      const trigger: HistoryTrigger = target.rollback ? "Rollback" : req.manual ? "Manual" : "Automated";
      facts.operation = { phase: "Running", revision: source.revision, message: resume ? "verifying an interrupted rollout" : "syncing", startedAt: resume && prevRun?.startedAt ? prevRun.startedAt : started.toISOString(), trigger };
      // recorded before the first write, so an interruption is visible and
      // resumable, and what it creates is in the inventory (prunable) even if it dies
      facts.resources = intendedInventory(app.status?.resources ?? [], compared);
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
    // every desired object is live as Git says; objects kept as extraneous still make the app OutOfSync
    const applied = conflicts.length === 0 && (!plan.writes || facts.operation?.phase === "Succeeded");
    facts = { ...facts, deployedRevision: applied ? source.revision : app.status?.sync?.revision, sync: applied && !kept.length && (source.revision === head || target.rollback) ? "Synced" : "OutOfSync", ...observed };
    if (kept.length) facts.extraneous = kept.length;
    if (kept.length && plan.pruneWithheld) {
      facts.failure = { reason: "PruneWithheld", message: `${plan.pruneWithheld} at ${source.revision.slice(0, 7)}: keeping the ${kept.length} object(s) deployed before; restore the manifests, or delete the objects by hand if that is intended`, terminal: false };
    }
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
    if (facts.failure && facts.failure.message !== app.status?.conditions?.find((c) => c.type === "Ready")?.message) {
      await ctx.apps.recordEvent(app, { type: "Warning", reason: facts.failure.reason, message: facts.failure.message });
    }
    await ctx.apps.writeStatus(app, nextStatus(app.status, facts, ctx.clock.now()));
    ctx.metrics.syncFinished(wrote ? "applied" : "unchanged", seconds(ctx, started));
    log.info({ revision: source.revision, sync: facts.sync, health: facts.health.status, wrote, durationMs: Date.now() - started.getTime() }, "reconciled");
    return { outcome: facts.sync === "Synced" ? "synced" : "out-of-sync" };
  } catch (err) {
    if (err instanceof SupersededError) {
      log.info({ why: err.message }, "rollout superseded");
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
  await ctx.apps.writeStatus(app, nextStatus(app.status, { ...facts, sync: err.reason === "GitFetchFailed" || err.reason === "RenderFailed" || err.reason === "InvalidSpec" ? "Unknown" : "OutOfSync" }, ctx.clock.now())).catch((e: unknown) => log.warn({ err: (e as Error).message }, "status write failed"));
  if (canRollBack) {
    log.warn({ from: facts.operation!.revision, to: rollbackTo }, "rolling back to the last healthy revision");
    const fresh = ctx.apps.get(app.metadata.namespace ?? "default", app.metadata.name) ?? app;
    return reconcile(ctx, fresh, { ...req, rollbackTo, manual: false });
  }
  return { outcome: "failed", terminal };
}

function isStalledOn(app: Application, head: string): boolean {
  const st = app.status;
  const stalled = st?.conditions?.find((c) => c.type === "Stalled");
  // a Git failure (a deleted branch) stalls on the remote, not on a commit:
  // once the head resolves again, even to the deployed commit, go on
  return stalled?.status === "True" && stalled.reason !== "GitFetchFailed" && st?.observedGeneration === app.metadata.generation && st?.sync?.revision === head;
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
  const id = `${app.metadata.namespace}/${app.metadata.name}`;
  const now = ctx.clock.now().getTime();
  const last = lastProgress.get(id);
  if (!last) lastProgress.set(id, { message: "", at: now }); // the wait began
  if (!last || message === last.message || now - last.at < PROGRESS_EVERY_MS) return;
  lastProgress.set(id, { message, at: now });
  const fresh = ctx.apps.get(app.metadata.namespace ?? "default", app.metadata.name) ?? app;
  await ctx.apps.writeStatus(fresh, nextStatus(fresh.status, { ...facts, sync: "OutOfSync", health: { status: "Progressing", message }, progressing: message }, ctx.clock.now())).catch(() => undefined);
}

function seconds(ctx: SyncContext, started: Date): number {
  return (ctx.clock.now().getTime() - started.getTime()) / 1000;
}
