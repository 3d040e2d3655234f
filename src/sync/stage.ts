import type { SyncStatusCode } from "../model/application.js";
import { asPlumbError, GitError, type PlumbError } from "../errors.js";
import { HealthCheckError, SupersededError } from "./execute.js";
import type { FailureReason } from "./status.js";

/** A stage of a reconcile failed; carries the condition reason it maps to. */
export class StageError extends Error {
  readonly reason: FailureReason;
  readonly error: PlumbError;
  constructor(reason: FailureReason, error: PlumbError) {
    super(error.message, { cause: error });
    this.reason = reason;
    this.error = error;
  }
}

/**
 * Runs one stage of a reconcile; whatever it throws becomes a StageError with
 * the stage's reason, the one place failures map to conditions. A failed
 * health gate and a Git failure met later (a checkout the render asked for)
 * keep their own reasons; a superseded rollout passes through.
 */
export async function stage<T>(reason: FailureReason, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof StageError || err instanceof SupersededError) throw err;
    if (err instanceof HealthCheckError) throw new StageError("HealthCheckFailed", err);
    if (err instanceof GitError) throw new StageError("GitFetchFailed", err);
    throw new StageError(reason, asPlumbError(err));
  }
}

/**
 * The sync status a failure leaves behind: before Plumb has the desired state
 * (spec, Git, render) it cannot say whether the cluster matches, so Unknown;
 * from the comparison on, the cluster is known to differ, so OutOfSync.
 */
export const SYNC_AFTER_FAILURE: Readonly<Record<FailureReason, SyncStatusCode>> = {
  InvalidSpec: "Unknown",
  GitFetchFailed: "Unknown",
  RenderFailed: "Unknown",
  ComparisonFailed: "OutOfSync",
  ApplyFailed: "OutOfSync",
  HealthCheckFailed: "OutOfSync",
  PruneFailed: "OutOfSync",
  PruneWithheld: "OutOfSync",
  Conflict: "OutOfSync",
};
