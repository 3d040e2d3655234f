import { asPlumbError, GitError } from "../errors.js";
import { HealthCheckError, SupersededError } from "./execute.js";
import type { FailureReason } from "./status.js";

/** A stage of a reconcile failed; carries the condition reason it maps to. */
export class StageError extends Error {
  readonly reason: FailureReason;
  readonly error: Error & { terminal?: boolean; code?: string };
  constructor(reason: FailureReason, error: Error & { terminal?: boolean; code?: string }) {
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
