import type { Application } from "../model/application.js";
import type { NotificationEvent, NotificationEventType } from "./types.js";

/** Ready reasons of a failed stage (see sync/status.ts FailureReason) that are not about health. */
const FAILED_REASONS = new Set(["InvalidSpec", "GitFetchFailed", "RenderFailed", "ComparisonFailed", "ApplyFailed", "PruneFailed", "PruneWithheld", "Conflict"]);

/**
 * The notification state an Application's status shows (pure), or undefined
 * when it shows none worth telling (OutOfSync, Progressing without an
 * operation, unknown). Derived from status alone, so the sync engine needs no
 * hook and a new leader reads the same state: an operation Running a revision
 * never seen healthy is Progressing; Ready=True is Synced; Ready=False with
 * reason RolledBack is RolledBack (on the failed revision); HealthCheckFailed
 * or Degraded is Degraded; a failed stage is Failed.
 */
export function appEvent(app: Application): NotificationEvent | undefined {
  const st = app.status;
  if (!st) return undefined;
  const ready = st.conditions?.find((c) => c.type === "Ready");
  const op = st.operationState;
  let event: NotificationEventType | undefined;
  let revision: string | undefined;
  let time = ready?.lastTransitionTime;
  let message = ready?.message ?? "";
  if (op?.phase === "Running" && op.revision && op.revision !== st.lastHealthyRevision) {
    event = "Progressing";
    revision = op.revision;
    time = op.startedAt;
    message = op.message ?? "syncing";
  } else if (ready?.status === "True") {
    event = "Synced";
    revision = st.sync?.revision;
  } else if (ready?.reason === "RolledBack") {
    event = "RolledBack";
    revision = st.failedRevision ?? st.sync?.revision;
  } else if (ready?.reason === "HealthCheckFailed" || ready?.reason === "Degraded") {
    event = "Degraded";
    revision = op?.phase === "Failed" ? op.revision : st.sync?.revision;
  } else if (ready && FAILED_REASONS.has(ready.reason)) {
    event = "Failed";
    revision = op?.phase === "Failed" ? op.revision : st.sync?.revision;
  }
  if (!event || !revision) return undefined;
  return {
    app: { namespace: app.metadata.namespace ?? "default", name: app.metadata.name },
    event,
    revision,
    sync: st.sync?.status ?? "Unknown",
    health: st.health?.status ?? "Unknown",
    message,
    time: time ?? new Date().toISOString(),
    repoURL: app.spec.source.repoURL,
  };
}

/** The identity of an event for once-only delivery: (app, revision, event). */
export function eventKey(e: Pick<NotificationEvent, "app" | "revision" | "event">): string {
  return `${e.app.namespace}/${e.app.name}@${e.revision}:${e.event}`;
}
