import type {
  ApplicationStatus,
  Condition,
  HistoryEntry,
  HistoryTrigger,
  OperationPhase,
  ResourceStatus,
  SyncStatusCode,
} from "../model/application.js";
import type { Health } from "../model/health.js";

/** Condition reasons for a failing stage; one place maps stages to them. */
export type FailureReason =
  | "InvalidSpec"
  | "GitFetchFailed"
  | "RenderFailed"
  | "ComparisonFailed"
  | "ApplyFailed"
  | "HealthCheckFailed"
  | "PruneFailed"
  | "PruneWithheld"
  | "Conflict";

/** An operation (a sync that writes) as status records it. */
export interface OperationFacts {
  phase: OperationPhase;
  revision: string;
  message: string;
  startedAt: string;
  finishedAt?: string;
  trigger: HistoryTrigger;
}

/** What one reconcile found and did, the input of the next status. */
export interface ReconcileFacts {
  generation: number;
  /** The commit the wanted branch/tag points at. */
  headRevision?: string;
  /** The commit the cluster now runs (differs from head after a rollback). */
  deployedRevision?: string;
  sync: SyncStatusCode;
  health: Health;
  resources?: ResourceStatus[];
  failure?: { reason: FailureReason; message: string; terminal: boolean };
  /** Set when this reconcile wrote to the cluster. */
  operation?: OperationFacts;
  /** A failed rollout was rolled back (now or earlier, still in effect). */
  rolledBack?: { from: string; to: string };
  /** The app is waiting on a rollout. */
  progressing?: string;
  /** Objects Git no longer has that were kept (prune disabled or withheld). */
  extraneous?: number;
}

const HISTORY_LIMIT = 10;

/**
 * The next Application status from the previous one and what a reconcile
 * found. Pure and idempotent: the same facts twice give the same status, so
 * a reconcile that changed nothing writes nothing.
 */
export function nextStatus(prev: ApplicationStatus | undefined, facts: ReconcileFacts, now: Date): ApplicationStatus {
  const p = prev ?? {};
  const at = now.toISOString();
  const status: ApplicationStatus = {
    observedGeneration: facts.generation,
    sync: syncOf(facts),
    health: facts.health,
    conditions: conditionsFor(p.conditions ?? [], facts, at),
    resources: facts.resources ?? p.resources ?? [],
  };
  const op = facts.operation
    ? { phase: facts.operation.phase, revision: facts.operation.revision, message: facts.operation.message, startedAt: facts.operation.startedAt, ...(facts.operation.finishedAt ? { finishedAt: facts.operation.finishedAt } : {}) }
    : p.operationState;
  if (op) status.operationState = op;
  const history = nextHistory(p.history ?? [], facts, at);
  if (history.length) status.history = history;
  const healthy = facts.health.status === "Healthy" && facts.sync === "Synced" && !facts.failure && facts.deployedRevision;
  const lastHealthy = healthy ? facts.deployedRevision : p.lastHealthyRevision;
  if (lastHealthy) status.lastHealthyRevision = lastHealthy;
  if (facts.rolledBack) status.failedRevision = facts.rolledBack.from;
  return status;
}

function syncOf(facts: ReconcileFacts): NonNullable<ApplicationStatus["sync"]> {
  const revision = facts.deployedRevision ?? facts.headRevision;
  return { status: facts.sync, ...(revision ? { revision, shortRevision: revision.slice(0, 7) } : {}) };
}

function nextHistory(prev: HistoryEntry[], facts: ReconcileFacts, at: string): HistoryEntry[] {
  const op = facts.operation;
  const top = prev[0];
  if (!op || op.phase === "Running") {
    // keep the newest entry's health current without adding entries
    if (top && facts.deployedRevision === top.revision && top.health !== facts.health.status && !facts.failure) {
      return [{ ...top, health: facts.health.status }, ...prev.slice(1)];
    }
    return prev;
  }
  const nextId = prev.reduce((m, h) => Math.max(m, h.id), 0) + 1;
  const entry: HistoryEntry = { id: nextId, revision: op.revision, deployedAt: at, health: facts.health.status, trigger: op.trigger };
  return [entry, ...prev].slice(0, HISTORY_LIMIT);
}

function conditionsFor(prev: Condition[], facts: ReconcileFacts, at: string): Condition[] {
  const want = desiredConditions(facts);
  return want.map((c) => {
    const old = prev.find((o) => o.type === c.type);
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : at;
    return { ...c, lastTransitionTime, observedGeneration: facts.generation };
  });
}

function desiredConditions(f: ReconcileFacts): Omit<Condition, "lastTransitionTime">[] {
  const short = (r?: string) => (r ? r.slice(0, 7) : "unknown");
  let ready: Omit<Condition, "lastTransitionTime">;
  if (f.failure) ready = { type: "Ready", status: "False", reason: f.failure.reason, message: f.failure.message };
  else if (f.rolledBack)
    ready = { type: "Ready", status: "False", reason: "RolledBack", message: `rollout of ${short(f.rolledBack.from)} failed; running ${short(f.rolledBack.to)} until a newer commit` };
  else if (f.sync !== "Synced")
    ready = { type: "Ready", status: "False", reason: f.sync, message: f.sync !== "OutOfSync" ? "sync state unknown" : f.extraneous ? `${f.extraneous} object(s) no longer in Git at ${short(f.headRevision)} are kept because prune is disabled; a manual sync prunes them` : `live state differs from Git at ${short(f.headRevision)}` };
  else if (f.health.status !== "Healthy")
    ready = { type: "Ready", status: "False", reason: f.health.status, message: f.health.message || `app is ${f.health.status}` };
  else ready = { type: "Ready", status: "True", reason: "Succeeded", message: `revision ${short(f.deployedRevision)} is applied and healthy` };
  const reconciling = f.progressing || f.health.status === "Progressing";
  return [
    ready,
    reconciling
      ? { type: "Reconciling", status: "True", reason: "Progressing", message: f.progressing ?? f.health.message }
      : { type: "Reconciling", status: "False", reason: "Idle", message: "" },
    f.failure?.terminal
      ? { type: "Stalled", status: "True", reason: f.failure.reason, message: f.failure.message }
      : { type: "Stalled", status: "False", reason: "Progressing", message: "" },
  ];
}
