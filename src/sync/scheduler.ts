import type { Logger } from "../log.js";
import type { ReconcileRequest, ReconcileResult } from "./reconcile.js";

/** What a caller asks of the next reconcile of one app. */
export interface ScheduleRequest {
  manual?: boolean;
  rollbackTo?: string;
  /** Cut short a rollout the app is waiting on (a webhook announced a new commit). */
  urgent?: boolean;
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
  pending: ScheduleRequest | undefined;
  timer: NodeJS.Timeout | undefined;
  attempts: number;
  abort: AbortController | undefined;
}

/**
 * The work queue: level-based (a request only names an app; the reconcile
 * re-reads everything), one reconcile per app at a time, at most
 * `concurrency` apps at once, each app re-checked every interval (with
 * jitter, so a thousand apps do not poll in lockstep) and retried with
 * exponential backoff after transient failures.
 */
export class Scheduler {
  #apps = new Map<string, AppState>();
  #ready: string[] = [];
  #active = 0;
  #stopped = false;
  #idle: (() => void)[] = [];
  readonly concurrency: number;
  #run: (key: string, req: ReconcileRequest) => Promise<ReconcileResult>;
  #intervalOf: (key: string) => number;
  #retryOf: (key: string) => RetryPolicy;
  #logger: Logger;

  constructor(opts: {
    run: (key: string, req: ReconcileRequest) => Promise<ReconcileResult>;
    intervalOf: (key: string) => number;
    retryOf: (key: string) => RetryPolicy;
    concurrency?: number;
    logger: Logger;
  }) {
    this.#run = opts.run;
    this.#intervalOf = opts.intervalOf;
    this.#retryOf = opts.retryOf;
    this.concurrency = opts.concurrency ?? 8;
    this.#logger = opts.logger;
  }

  /** Apps waiting to run (the queue depth metric). */
  get depth(): number {
    return this.#ready.length;
  }

  /** Apps reconciling right now. */
  get active(): number {
    return this.#active;
  }

  /** Asks for a reconcile of `key` as soon as a slot is free. */
  enqueue(key: string, req: ScheduleRequest = {}): void {
    if (this.#stopped) return;
    const st = this.#state(key);
    st.pending = merge(st.pending, req);
    if (st.timer) clearTimeout(st.timer);
    st.timer = undefined;
    if (req.urgent && st.running) st.abort?.abort();
    if (!st.running && !this.#ready.includes(key)) this.#ready.push(key);
    this.#pump();
  }

  /** Forgets an app (deleted). */
  remove(key: string): void {
    const st = this.#apps.get(key);
    if (st?.timer) clearTimeout(st.timer);
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
      if (st.timer) clearTimeout(st.timer);
      st.abort?.abort();
    }
    this.#ready = [];
    if (this.#active > 0) await new Promise<void>((r) => this.#idle.push(r));
  }

  #state(key: string): AppState {
    let st = this.#apps.get(key);
    if (!st) this.#apps.set(key, (st = { running: false, pending: undefined, timer: undefined, attempts: 0, abort: undefined }));
    return st;
  }

  #pump(): void {
    while (!this.#stopped && this.#active < this.concurrency && this.#ready.length) {
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
    let result: ReconcileResult = { outcome: "failed" };
    try {
      result = await this.#run(key, { ...(req.manual ? { manual: true } : {}), ...(req.rollbackTo ? { rollbackTo: req.rollbackTo } : {}), signal: st.abort.signal });
    } catch (err) {
      this.#logger.error({ app: key, err: (err as Error).message }, "reconcile crashed");
    } finally {
      st.running = false;
      st.abort = undefined;
      this.#active--;
    }
    if (this.#apps.get(key) === st) this.#after(key, st, result);
    if (this.#active === 0) for (const r of this.#idle.splice(0)) r();
    this.#pump();
  }

  #after(key: string, st: AppState, result: ReconcileResult): void {
    if (this.#stopped) return;
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
    const jittered = delay * (0.9 + Math.random() * 0.2);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      this.enqueue(key);
    }, jittered);
    st.timer.unref();
  }
}

function merge(a: ScheduleRequest | undefined, b: ScheduleRequest): ScheduleRequest {
  return {
    ...(a?.manual || b.manual ? { manual: true } : {}),
    ...(b.rollbackTo ?? a?.rollbackTo ? { rollbackTo: b.rollbackTo ?? a?.rollbackTo } : {}),
  };
}
