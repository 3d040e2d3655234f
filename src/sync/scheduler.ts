import type { Logger } from "../log.js";
import { systemClock } from "./clock.js";
import type { Clock } from "./ports.js";
import type { ReconcileRequest, ReconcileResult } from "./reconcile.js";
import { MAX_DURATION_MS } from "./spec.js";

/** What a caller asks of the next reconcile of one app. */
export interface ScheduleRequest {
  manual?: boolean;
  /** A manual sync that asked to prune (API body `{"prune": true}`); otherwise only `automated.prune` prunes. */
  prune?: boolean;
  rollbackTo?: string;
  /** Cut short a rollout the app is waiting on (a webhook announced a new commit). */
  urgent?: boolean;
  /** Someone says Git moved (webhook, API): the reconcile asks Git for a head newer than this request. */
  refresh?: boolean;
}

/** Retry policy (from spec.syncPolicy.retry). */
export interface RetryPolicy {
  limit: number;
  baseMs: number;
  factor: number;
  maxMs: number;
}

interface AppState {
  running: boolean;
  pending: Pending | undefined;
  /** Cancels the app's next periodic reconcile. */
  timer: (() => void) | undefined;
  attempts: number;
  abort: AbortController | undefined;
}

/**
 * The work queue: level-based (a request only names an app; the reconcile
 * re-reads everything), one reconcile per app at a time, at most
 * `concurrency` apps working at once, each app re-checked every interval
 * (with jitter, so a thousand apps do not poll in lockstep) and retried with
 * exponential backoff after transient failures. A reconcile waiting on a
 * rollout gives its slot back meanwhile (`ReconcileRequest.idle`), so slow
 * rollouts never starve the apps behind them; resumed ones come first.
 */
export class Scheduler {
  #apps = new Map<string, AppState>();
  #ready: string[] = [];
  /** Slots held (reconciles working, not waiting). */
  #busy = 0;
  /** Reconciles in progress, waiting or not. */
  #active = 0;
  /** Reconciles whose wait ended, queued for a slot ahead of new work. */
  #resuming: (() => void)[] = [];
  #stopped = false;
  #idle: (() => void)[] = [];
  readonly concurrency: number;
  #run: (key: string, req: ReconcileRequest) => Promise<ReconcileResult>;
  #intervalOf: (key: string) => number;
  #retryOf: (key: string) => RetryPolicy;
  #logger: Logger;
  #clock: Clock;

  constructor(opts: {
    run: (key: string, req: ReconcileRequest) => Promise<ReconcileResult>;
    intervalOf: (key: string) => number;
    retryOf: (key: string) => RetryPolicy;
    concurrency?: number;
    logger: Logger;
    clock?: Clock;
  }) {
    this.#run = opts.run;
    this.#intervalOf = opts.intervalOf;
    this.#retryOf = opts.retryOf;
    this.concurrency = opts.concurrency ?? 8;
    this.#logger = opts.logger;
    this.#clock = opts.clock ?? systemClock;
  }

  /** Apps waiting to run (the queue depth metric). */
  get depth(): number {
    return this.#ready.length;
  }

  /** Apps reconciling right now (including those waiting on a rollout). */
  get active(): number {
    return this.#active;
  }

  /** Apps reconciling right now that wait on a rollout without holding a slot. */
  get waiting(): number {
    return this.#active - this.#busy - this.#resuming.length;
  }

  /** Asks for a reconcile of `key` as soon as a slot is free. */
  enqueue(key: string, req: ScheduleRequest = {}): void {
    if (this.#stopped) return;
    const st = this.#state(key);
    st.pending = merge(st.pending, req, this.#clock.now().getTime());
    st.timer?.();
    st.timer = undefined;
    // "refresh": the rollout is cut short only if the head really moved (see target.ts)
    if (req.urgent && st.running) st.abort?.abort(REFRESH);
    if (!st.running && !this.#ready.includes(key)) this.#ready.push(key);
    this.#pump();
  }

  /** Forgets an app (deleted). */
  remove(key: string): void {
    const st = this.#apps.get(key);
    st?.timer?.();
    st?.abort?.abort();
    this.#apps.delete(key);
    this.#ready = this.#ready.filter((k) => k !== key);
  }

  /**
   * Stops scheduling; resolves when running reconciles have finished. Their
   * signals abort, so a rollout waiting on a health gate ends after the
   * in-flight writes instead of after the rollout timeout (fast shutdown).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const st of this.#apps.values()) {
      st.timer?.();
      st.abort?.abort();
    }
    this.#ready = [];
    for (const resume of this.#resuming.splice(0)) {
      this.#busy++;
      resume();
    }
    if (this.#active > 0) await new Promise<void>((r) => this.#idle.push(r));
  }

  #state(key: string): AppState {
    let st = this.#apps.get(key);
    if (!st) this.#apps.set(key, (st = { running: false, pending: undefined, timer: undefined, attempts: 0, abort: undefined }));
    return st;
  }

  #pump(): void {
    while (this.#busy < this.concurrency && this.#resuming.length) {
      this.#busy++;
      this.#resuming.shift()!();
    }
    while (!this.#stopped && this.#busy < this.concurrency && this.#ready.length) {
      const key = this.#ready.shift()!;
      const st = this.#apps.get(key);
      if (!st || st.running) continue;
      void this.#runOne(key, st);
    }
  }

  async #runOne(key: string, st: AppState): Promise<void> {
    const req = st.pending ?? {};
    st.pending = undefined;
    st.running = true;
    st.abort = new AbortController();
    this.#active++;
    this.#busy++;
    let result: ReconcileResult = { outcome: "failed" };
    try {
      const idle = <T>(wait: () => Promise<T>) => this.#idleWhile(wait);
      result = await this.#run(key, { ...(req.manual ? { manual: true } : {}), ...(req.manual && req.prune ? { prune: true } : {}), ...(req.headSince ? { headSince: req.headSince } : {}), ...(req.rollbackTo ? { rollbackTo: req.rollbackTo } : {}), signal: st.abort.signal, idle });
    } catch (err) {
      this.#logger.error({ app: key, err: (err as Error).message }, "reconcile crashed");
    } finally {
      st.running = false;
      st.abort = undefined;
      this.#active--;
      this.#busy--;
    }
    if (this.#apps.get(key) === st) this.#after(key, st, result);
    if (this.#active === 0) for (const r of this.#idle.splice(0)) r();
    this.#pump();
  }

  /** Runs `wait` with this reconcile's slot given back; takes a slot again (ahead of new work) afterwards. */
  async #idleWhile<T>(wait: () => Promise<T>): Promise<T> {
    this.#busy--;
    this.#pump();
    try {
      return await wait();
    } finally {
      if (this.#stopped || (this.#busy < this.concurrency && !this.#resuming.length)) this.#busy++;
      else await new Promise<void>((resume) => this.#resuming.push(resume));
    }
  }

  #after(key: string, st: AppState, result: ReconcileResult): void {
    if (this.#stopped) return;
    // an automatic rollback runs next, unless someone asked for a manual sync meanwhile
    if (result.next && !st.pending?.manual) st.pending = merge(st.pending, result.next, this.#clock.now().getTime());
    if (st.pending || result.outcome === "superseded") {
      if (!this.#ready.includes(key)) this.#ready.push(key);
      return;
    }
    let delay = this.#intervalOf(key);
    if (result.outcome === "failed" && !result.terminal) {
      const retry = this.#retryOf(key);
      st.attempts++;
      // never longer than the interval: a newer commit must not wait out a long backoff
      if (st.attempts <= retry.limit) delay = Math.min(retry.baseMs * retry.factor ** (st.attempts - 1), retry.maxMs, delay);
    } else {
      st.attempts = 0;
    }
    // a longer delay would overflow a Node timer and fire at once, in a hot loop
    const jittered = Math.min(delay * (0.9 + Math.random() * 0.2), MAX_DURATION_MS);
    st.timer = this.#clock.after(jittered, () => {
      st.timer = undefined;
      this.enqueue(key);
    });
  }
}

/** Abort reason of an urgent refresh (a webhook), as opposed to shutdown or removal. */
export const REFRESH = "refresh";

/** Requests waiting for an app's next reconcile, merged; `headSince` notes the latest refresh. */
type Pending = ScheduleRequest & { headSince?: number };

function merge(a: Pending | undefined, b: ScheduleRequest, now: number): Pending {
  const headSince = Math.max(a?.headSince ?? 0, b.refresh ? now : 0);
  return {
    ...(headSince ? { headSince } : {}),
    ...(a?.manual || b.manual ? { manual: true } : {}),
    ...(a?.prune || b.prune ? { prune: true } : {}),
    ...(b.rollbackTo ?? a?.rollbackTo ? { rollbackTo: b.rollbackTo ?? a?.rollbackTo } : {}),
  };
}
