import type { Application } from "../model/application.js";
import type { SyncContext } from "./context.js";
import { nextStatus, type ReconcileFacts } from "./status.js";

/** An Event on an Application. */
export interface AppEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/**
 * Records an Event, best effort: a failure is logged and never changes how a
 * reconcile ended (an operation that succeeded stays Succeeded).
 */
export async function recordEvent(ctx: SyncContext, app: Application, event: AppEvent): Promise<void> {
  try {
    await ctx.apps.recordEvent(app, event);
  } catch (err) {
    ctx.logger.warn({ reason: event.reason, err: (err as Error).message }, "event not recorded");
  }
}

/**
 * Writes the status that follows from `facts`; false (and logged) when the
 * write failed, so the caller retries the reconcile instead of rewriting
 * what happened as a failure.
 */
export async function recordStatus(ctx: SyncContext, app: Application, facts: ReconcileFacts): Promise<boolean> {
  try {
    await ctx.apps.writeStatus(app, nextStatus(app.status, facts, ctx.clock.now()));
    return true;
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message }, "status write failed");
    return false;
  }
}
