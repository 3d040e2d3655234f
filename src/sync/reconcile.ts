import { randomUUID } from "node:crypto";
import type { Application, ResourceStatus } from "../model/application.js";
import type { Health } from "../model/health.js";
import { asPlumbError } from "../errors.js";
import type { SyncContext } from "./context.js";
import { compareWithLive, driftId } from "./compare.js";
import { appTrackingId, renderDesired } from "./desired.js";
import { HealthCheckError, SupersededError } from "./execute.js";
import { findOrphans, observeResources } from "./observe.js";
import { operationToRun, runOperation, type OperationReport } from "./operation.js";
import { planSync, type ComparedObject, type SyncPlan } from "./plan.js";
import type { ClusterPort } from "./ports.js";
import { recordEvent, recordStatus } from "./record.js";
import { fetchSource, headMaxAgeMs, resolveHead, type FetchedSource } from "./source.js";
import { validateSpec } from "./spec.js";
import { stage, StageError, SYNC_AFTER_FAILURE } from "./stage.js";
import type { OperationFacts, ReconcileFacts } from "./status.js";
import { chooseTarget, type Target } from "./target.js";
import { verdict } from "./verdict.js";

/** Why a reconcile runs and what it may do. */
export interface ReconcileRequest {
  /** An explicit sync (API/CLI): applies even without an automated policy, retries a rolled-back revision. */
  manual?: boolean;
  /** A manual sync that asked to prune; without it only `automated.prune` prunes. */
  prune?: boolean;
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
  /** Work the scheduler queues next for this app: an automatic rollback to the last healthy revision. */
  next?: { rollbackTo: string };
}

/** One reconcile in progress: its context (with the reconcile's own logger), app, request, cluster and start. */
interface Run {
  ctx: SyncContext;
  app: Application;
  req: ReconcileRequest;
  cluster: ClusterPort;
  started: Date;
}

/**
 * One reconcile of one Application, top to bottom: resolve the wanted
 * revision, fetch, render, compare with the cluster, plan, apply step by step
 * behind health gates, prune, and record status. Each stage maps its failure
 * to a condition reason (stage.ts); the catch below only sorts the endings.
 * Nothing is pruned unless every earlier stage succeeded. Every log line
 * carries the app and the reconcile id.
 */
export async function reconcile(ctx: SyncContext, app: Application, req: ReconcileRequest = {}): Promise<ReconcileResult> {
  const logger = ctx.logger.child({ app: idOf(app), reconcileId: randomUUID().slice(0, 8) });
  const run: Run = { ctx: { ...ctx, logger }, app, req, cluster: ctx.clusterFor(app), started: ctx.clock.now() };
  let head: string | undefined;
  try {
    await stage("InvalidSpec", async () => validateSpec(app));
    head = await stage("GitFetchFailed", () => resolveHead(run.ctx, app, { since: req.headSince ?? run.started.getTime() - headMaxAgeMs(app) }));
    if (isStalledOn(app, head) && !req.manual) return { outcome: "skipped", terminal: true };
    const target = chooseTarget(app, head, req);
    const source = await stage("GitFetchFailed", () => fetchSource(run.ctx, app, { headRevision: head!, revision: target.revision }));
    const desired = await stage("RenderFailed", () => renderDesired({ app, source, cluster: run.cluster, ...(ctx.renders ? { memo: ctx.renders } : {}), ...(ctx.tools ? { tools: ctx.tools } : {}) }));
    const compared = await stage("ComparisonFailed", () => compareWithLive({ ctx: run.ctx, app, cluster: run.cluster, desired }));
    const orphans = await stage("ComparisonFailed", () => findOrphans({ app, cluster: run.cluster, desired }));
    const plan = planSync({ compared, orphans, trackingIdOf: (k) => appTrackingId(app, k), prune: mayPrune(app, req) });
    const operation = operationToRun({ app, req, plan, source, target });
    const ran = operation ? await runOperation({ ctx: run.ctx, app, req, cluster: run.cluster, plan, desired, compared, source, head, target, operation, started: run.started }) : undefined;
    if (ran && !ran.ok) return await failed({ run, failure: ran.failure, head, operation: ran.record, resources: ran.resources });
    return await report({ run, head, source, target, plan, compared, ran });
  } catch (err) {
    if (err instanceof SupersededError) return superseded(run, err);
    if (err instanceof StageError) return failed({ run, failure: err, ...(head ? { head } : {}) });
    return crashed(run, err);
  }
}

/**
 * Records a reconcile that got through its stages. Reading live state,
 * recording an Event or writing status may still fail; none of that turns
 * what happened into a failed operation: the reconcile is retried instead.
 */
async function report(opts: { run: Run; head: string; source: FetchedSource; target: Target; plan: SyncPlan; compared: ComparedObject[]; ran: Extract<OperationReport, { ok: true }> | undefined }): Promise<ReconcileResult> {
  const { run, head, source, plan, ran } = opts;
  const { ctx, app } = run;
  const wrote = ran?.wrote ?? false;
  let unobserved = false;
  const observed = await observeResources({ cluster: run.cluster, compared: opts.compared, plan, applied: wrote || plan.inSync, syncHashOf: (key) => ctx.drift.syncHashOf(driftId(app, { key })) }).catch((err: unknown) => {
    unobserved = true;
    ctx.logger.warn({ err: (err as Error).message }, "live state unreadable after the stages");
    return { resources: ran?.resources ?? app.status?.resources ?? [], health: { status: "Unknown" as const, message: `live state unreadable: ${(err as Error).message}` } };
  });
  const found: ReconcileFacts = { ...baseFacts(app, head), ...(ran ? { operation: ran.record, resources: ran.resources } : {}) };
  const facts = verdict({ app, facts: found, plan, observed, revision: source.revision, head, target: opts.target, wrote, operated: !!ran });
  if (facts.failure && facts.failure.message !== readyMessage(app)) {
    await recordEvent(ctx, app, { type: "Warning", reason: facts.failure.reason, message: facts.failure.message });
  }
  const recorded = await recordStatus(ctx, app, facts);
  ctx.metrics.syncFinished(wrote ? "applied" : "unchanged", seconds(run));
  ctx.logger.info({ revision: source.revision, sync: facts.sync, health: facts.health.status, wrote, durationMs: seconds(run) * 1000 }, "reconciled");
  if (unobserved || !recorded) return { outcome: "failed" }; // retried with backoff; what happened stands
  return { outcome: facts.sync === "Synced" ? "synced" : "out-of-sync" };
}

/**
 * Records a failed stage: the condition reason, the sync status it leaves
 * (SYNC_AFTER_FAILURE), the operation as Failed, a Warning Event when the
 * message is new. A rollout that failed its health gate asks for a rollback
 * to the last healthy revision when the app allows it; the scheduler queues it.
 */
async function failed(opts: { run: Run; failure: StageError; head?: string; operation?: OperationFacts; resources?: ResourceStatus[] }): Promise<ReconcileResult> {
  const { run, failure, operation } = opts;
  const { ctx, app, req } = run;
  const { reason, error } = failure;
  const terminal = error.terminal;
  const facts: ReconcileFacts = {
    ...baseFacts(app, opts.head),
    sync: SYNC_AFTER_FAILURE[reason],
    ...(error instanceof HealthCheckError ? { health: error.health } : {}),
    failure: { reason, message: error.message, terminal },
    ...(operation ? { operation } : {}),
    ...(opts.resources ? { resources: opts.resources } : {}),
  };
  if (readyMessage(app) !== error.message) await recordEvent(ctx, app, { type: "Warning", reason, message: error.message });
  ctx.logger.warn({ reason, code: error.code, err: error.message, terminal }, "reconcile failed");
  ctx.metrics.syncFinished("failed", seconds(run));
  await recordStatus(ctx, app, facts);
  const rollbackTo = app.status?.lastHealthyRevision;
  const canRollBack = reason === "HealthCheckFailed" && !!app.spec.rollout?.autoRollback && !!rollbackTo && !!operation && operation.revision !== rollbackTo && !req.rollbackTo;
  if (!canRollBack) return { outcome: "failed", terminal };
  ctx.logger.warn({ from: operation.revision, to: rollbackTo }, "rolling back to the last healthy revision");
  return { outcome: "failed", terminal, next: { rollbackTo } };
}

/** A newer commit (or a deleted object) cut a rollout's wait short: the scheduler plans again at once. */
function superseded(run: Run, err: SupersededError): ReconcileResult {
  run.ctx.logger.info({ why: err.message }, "rollout superseded");
  run.ctx.metrics.syncFinished("superseded", seconds(run));
  return { outcome: "superseded" };
}

/**
 * Something failed outside every named stage: a defect, not a condition of
 * the app. Status is left as it was (never rewritten as a failed apply) and
 * the reconcile is retried.
 */
function crashed(run: Run, err: unknown): ReconcileResult {
  const error = asPlumbError(err);
  run.ctx.logger.error({ code: error.code, err: error.message }, "reconcile failed outside its stages");
  run.ctx.metrics.syncFinished("failed", seconds(run));
  return { outcome: "failed" };
}

/** Facts every ending starts from: the generation seen, the head if resolved, the health last known. */
function baseFacts(app: Application, head: string | undefined): ReconcileFacts {
  const health: Health = app.status?.health ?? { status: "Unknown", message: "" };
  return { generation: app.metadata.generation ?? 0, sync: "Unknown", health, ...(head ? { headRevision: head } : {}) };
}

/** Prune only where the app's policy says so, or a manual sync asked for it explicitly. */
function mayPrune(app: Application, req: ReconcileRequest): boolean {
  return !!app.spec.syncPolicy?.automated?.prune || (!!req.manual && !!req.prune);
}

function isStalledOn(app: Application, head: string): boolean {
  const st = app.status;
  const stalled = st?.conditions?.find((c) => c.type === "Stalled");
  // a Git failure (a deleted branch) stalls on the remote, not on a commit:
  // once the head resolves again, even to the deployed commit, go on
  return stalled?.status === "True" && stalled.reason !== "GitFetchFailed" && st?.observedGeneration === app.metadata.generation && st?.sync?.revision === head;
}

/** The message of the app's Ready condition: an Event is recorded only when it changes. */
function readyMessage(app: Application): string | undefined {
  return app.status?.conditions?.find((c) => c.type === "Ready")?.message;
}

function idOf(app: Application): string {
  return `${app.metadata.namespace}/${app.metadata.name}`;
}

function seconds(run: Run): number {
  return (run.ctx.clock.now().getTime() - run.started.getTime()) / 1000;
}
