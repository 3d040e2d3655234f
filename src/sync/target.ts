import type { Application } from "../model/application.js";
import type { SyncContext } from "./context.js";
import type { ReconcileRequest } from "./reconcile.js";
import { REFRESH } from "./scheduler.js";
import { resolveHead } from "./source.js";

/** The commit a reconcile deploys, and whether that is a rollback. */
export interface Target {
  revision: string;
  rollback?: { from: string };
}

/**
 * Picks the commit to deploy. Normally the head. An explicit rollback names
 * its commit. After an automatic rollback, the failed head stays parked on
 * the last healthy revision until a newer commit or a manual sync, so a bad
 * commit is never re-applied in a loop, and a newer fix is never blocked.
 */
export function chooseTarget(app: Application, head: string, req: ReconcileRequest): Target {
  if (req.rollbackTo) return { revision: req.rollbackTo, rollback: { from: head } };
  const st = app.status;
  if (!req.manual && st?.failedRevision === head && st.lastHealthyRevision && st.lastHealthyRevision !== head) {
    return { revision: st.lastHealthyRevision, rollback: { from: head } };
  }
  return { revision: head };
}

/**
 * While a rollout waits on health, checks the remote head every
 * `ctx.supersedeCheckMs` (a cheap ref listing) and aborts the wait when a
 * newer commit appears, or when the caller's signal aborts (e.g. a webhook).
 */
export function watchForNewerCommit(opts: { ctx: SyncContext; app: Application; head: string; pinned?: { from: string } | undefined; signal?: AbortSignal | undefined }): { signal: AbortSignal; stop: () => void } {
  const { ctx, app, head, pinned } = opts;
  const ac = new AbortController();
  // timer checks share recent answers (a thousand apps waiting on rollouts
  // must not list refs a thousand times every few seconds); a refresh asks anew
  const checkHead = (since = ctx.clock.now().getTime() - ctx.supersedeCheckMs) =>
    resolveHead(ctx, app, { since }).then(
      (now) => {
        // a pinned rollback only yields to a commit newer than the one it rolled back
        if (now !== head && (!pinned || now !== pinned.from)) ac.abort();
      },
      () => undefined,
    );
  // a refresh (webhook) cuts the wait short only when the head moved; shutdown always does
  const onAbort = () => (opts.signal?.reason === REFRESH ? void checkHead(ctx.clock.now().getTime()) : ac.abort());
  opts.signal?.addEventListener("abort", onAbort);
  if (opts.signal?.aborted) onAbort();
  const stopTimer = ctx.clock.every(ctx.supersedeCheckMs, () => void checkHead());
  return {
    signal: ac.signal,
    stop: () => {
      stopTimer();
      opts.signal?.removeEventListener("abort", onAbort);
    },
  };
}
