import { randomUUID } from "node:crypto";
import type { Application } from "../model/application.js";
import { asPlumbError } from "../errors.js";
import type { SyncContext } from "./context.js";
import { compareWithLive } from "./compare.js";
import { appTrackingId, renderDesired } from "./desired.js";
import { HealthCheckError, SupersededError } from "./execute.js";
import { findOrphans, observeResources } from "./observe.js";
import { operationToRun, runOperation } from "./operation.js";
import { planSync } from "./plan.js";
import { fetchSource, headMaxAgeMs, resolveHead } from "./source.js";
import { validateSpec } from "./spec.js";
import { stage, StageError } from "./stage.js";
import { nextStatus, type ReconcileFacts } from "./status.js";
import { chooseTarget } from "./target.js";
import { verdict } from "./verdict.js";

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
  let facts: ReconcileFacts = { generation: app.metadata.generation ?? 0, sync: "Unknown", health: app.status?.health ?? { status: "Unknown", message: "" } };
  try {
    await stage("InvalidSpec", async () => validateSpec(app));
    const head = await stage("GitFetchFailed", () => resolveHead(ctx, app, { since: req.headSince ?? Date.now() - headMaxAgeMs(app) }));
    facts.headRevision = head;
    if (isStalledOn(app, head) && !req.manual) return { outcome: "skipped", terminal: true };
    const target = chooseTarget(app, head, req);
    const source = await stage("GitFetchFailed", () => fetchSource(ctx, app, { headRevision: head, revision: target.revision }));
    const desired = await stage("RenderFailed", () => renderDesired({ app, source, cluster, ...(ctx.renders ? { memo: ctx.renders } : {}), ...(ctx.tools ? { tools: ctx.tools } : {}) }));
    const compared = await stage("ComparisonFailed", () => compareWithLive({ ctx, app, cluster, desired }));
    const orphans = await stage("ComparisonFailed", () => findOrphans({ app, cluster, desired }));
    const plan = planSync({ compared, orphans, trackingIdOf: (k) => appTrackingId(app, k), prune: !!app.spec.syncPolicy?.automated?.prune || !!req.manual });
    const operation = operationToRun({ app, req, plan, source, target });
    const wrote = operation ? await runOperation({ ctx, app, req, cluster, plan, desired, compared, source, head, target, operation, facts, started }) : false;
    const observed = await observeResources({ cluster, compared, plan, applied: wrote || plan.inSync });
    facts = verdict({ app, facts, plan, observed, revision: source.revision, head, target, wrote, operated: !!operation });
    if (facts.failure && facts.failure.message !== readyMessage(app)) {
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
  if (readyMessage(app) !== err.error.message) await ctx.apps.recordEvent(app, { type: "Warning", reason: err.reason, message: err.error.message }).catch(() => undefined);
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

/** The message of the app's Ready condition: an Event is recorded only when it changes. */
function readyMessage(app: Application): string | undefined {
  return app.status?.conditions?.find((c) => c.type === "Ready")?.message;
}

function seconds(ctx: SyncContext, started: Date): number {
  return (ctx.clock.now().getTime() - started.getTime()) / 1000;
}
