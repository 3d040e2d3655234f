import type { Application } from "../model/application.js";
import type { Health } from "../model/health.js";
import type { ResourceStatus } from "../model/application.js";
import type { SyncPlan } from "./plan.js";
import type { ReconcileFacts } from "./status.js";
import type { Target } from "./target.js";

/**
 * What a reconcile that got through its stages reports (pure): the deployed
 * revision, Synced or OutOfSync, and why the app is not Ready when something
 * still stands in the way. Synced needs every desired object live as Git says
 * (no conflict, the operation succeeded or nothing needed writing), nothing
 * kept that Git dropped, and the head deployed (or a rollback in effect).
 */
export function verdict(opts: {
  app: Application;
  facts: ReconcileFacts;
  plan: SyncPlan;
  observed: { resources: ResourceStatus[]; health: Health };
  revision: string;
  head: string;
  target: Target;
  wrote: boolean;
  operated: boolean;
}): ReconcileFacts {
  const { app, plan, revision, head, target } = opts;
  const conflicts = plan.steps.flatMap((s) => s.tasks).filter((t) => t.action === "conflict");
  const kept = plan.prunes.filter((p) => p.action === "extraneous");
  const applied = conflicts.length === 0 && (!plan.writes || opts.facts.operation?.phase === "Succeeded");
  const facts: ReconcileFacts = {
    ...opts.facts,
    deployedRevision: applied ? revision : app.status?.sync?.revision,
    sync: applied && !kept.length && (revision === head || target.rollback) ? "Synced" : "OutOfSync",
    ...opts.observed,
  };
  if (!opts.operated) delete facts.operation;
  if (kept.length) facts.extraneous = kept.length;
  if (kept.length && plan.pruneWithheld) {
    facts.failure = { reason: "PruneWithheld", message: `${plan.pruneWithheld} at ${revision.slice(0, 7)}: keeping the ${kept.length} object(s) deployed before; restore the manifests, or delete the objects by hand if that is intended`, terminal: false };
  }
  if (target.rollback) facts.rolledBack = { from: target.rollback.from, to: revision };
  const prevOp = app.status?.operationState;
  if (!opts.wrote && prevOp?.phase === "Failed" && prevOp.revision === revision && facts.health.status !== "Healthy") {
    // the failed rollout of this revision still stands: keep saying so
    facts.failure = { reason: "HealthCheckFailed", message: prevOp.message ?? "rollout failed", terminal: false };
  }
  if (conflicts.length) {
    const c = conflicts[0]!;
    facts.failure = { reason: "Conflict", message: `${c.key.kind} ${c.key.namespace}/${c.key.name} is owned by ${c.conflictWith}; not touching it (${conflicts.length} conflict(s))${kept.length ? `; nothing pruned (${kept.length} object(s) kept)` : ""}`, terminal: false };
  }
  return facts;
}
