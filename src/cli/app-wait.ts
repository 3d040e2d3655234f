import type { ApplicationStatus } from "../model/application.js";
import { ApiClient } from "./api-client.js";

/** The parts of `GET /api/v1/applications/NS/NAME` that `wait` judges. */
export interface AppDetail {
  namespace: string;
  name: string;
  sync: { status: string; revision?: string };
  health: { status: string; message: string };
  ready?: { status: string; reason: string; message: string };
  status: ApplicationStatus;
  [field: string]: unknown;
}

/** How a wait ended: ok (Ready), failed (with why), or timeout. */
export interface WaitOutcome {
  result: "ok" | "failed" | "timeout";
  reason: string;
  app: AppDetail;
}

/** Ready=False reasons that mean "still on the way", not "failed". */
const UNDERWAY = new Set(["Progressing", "Reconciling", "OutOfSync", "Unknown", "Missing", "Suspended"]);

/**
 * The verdict on an app right now (pure): ok when Ready=True; failed when
 * its operation failed, it is Stalled, Degraded with nothing running, or
 * Ready=False for a reason that is not "still going"; otherwise undefined.
 */
export function judge(app: AppDetail): Omit<WaitOutcome, "app"> | undefined {
  const st = app.status ?? {};
  const op = st.operationState;
  if (op?.phase === "Running") return undefined;
  if (app.ready?.status === "True") return { result: "ok", reason: `Ready at ${app.sync.revision?.slice(0, 7) ?? "?"}: ${app.ready.message || "Synced and Healthy"}` };
  const stalled = st.conditions?.find((c) => c.type === "Stalled" && c.status === "True");
  if (stalled) return { result: "failed", reason: `Stalled (${stalled.reason}): ${stalled.message}` };
  if (op && (op.phase === "Failed" || op.phase === "Error")) return { result: "failed", reason: `sync ${op.phase}: ${op.message ?? ""}` };
  if (app.health.status === "Degraded") return { result: "failed", reason: `Degraded: ${app.health.message}` };
  if (app.ready && app.ready.status === "False" && !UNDERWAY.has(app.ready.reason)) return { result: "failed", reason: `${app.ready.reason}: ${app.ready.message}` };
  return undefined;
}

/**
 * Polls the app every `intervalMs` until `judge` has a verdict or `timeoutMs`
 * passes. After a sync request (`afterSync`) a verdict counts only once an
 * operation newer than the one before the request has run: when the diff
 * said the app differs from Git (`expectOperation`), up to a minute is given
 * for it to start; when it said the app is in sync there will be none; when
 * the diff was not available, 10 s.
 */
export async function waitForApp(opts: {
  client: ApiClient;
  namespace: string;
  name: string;
  timeoutMs: number;
  intervalMs?: number;
  afterSync?: { startedAt: string | undefined; expectOperation: boolean | undefined };
}): Promise<WaitOutcome> {
  const began = Date.now();
  const path = ApiClient.appPath(opts.namespace, opts.name);
  for (;;) {
    const app = await opts.client.call<AppDetail>("GET", path);
    const op = app.status?.operationState;
    const newOperation = !opts.afterSync || (op?.startedAt !== undefined && op.startedAt !== opts.afterSync.startedAt);
    const expect = opts.afterSync?.expectOperation;
    const settled = newOperation || expect === false || Date.now() - began >= (expect ? 60_000 : 10_000);
    const verdict = settled ? judge(app) : undefined;
    if (verdict) return { ...verdict, app };
    if (Date.now() - began >= opts.timeoutMs) {
      return { result: "timeout", reason: `not Ready after ${Math.round(opts.timeoutMs / 1000)}s: sync ${app.sync.status}, health ${app.health.status}${app.health.message ? ` (${app.health.message})` : ""}`, app };
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1_000));
  }
}
