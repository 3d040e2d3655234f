import type { DeliveryRequest } from "./providers/index.js";

/** How a delivery ended. */
export interface DeliveryOutcome {
  ok: boolean;
  /** HTTP status of the last attempt, when one answered. */
  status?: number;
  attempts: number;
  /** Why it failed (no secrets: status code and text, or the network error's message). */
  error?: string;
  /** The queue was full: never sent. */
  dropped?: boolean;
}

/** One notification to deliver. */
export interface Delivery {
  /** Deliveries with the same target share its concurrency (e.g. the Notifier's uid). */
  target: string;
  request: DeliveryRequest;
  onDone: (outcome: DeliveryOutcome) => void;
}

/** Dispatcher settings; every field has a default. */
export interface DispatcherOptions {
  /** Deliveries waiting (queued or between retries) at most; more are dropped. */
  maxQueued: number;
  /** Requests in flight per target at most. */
  perTarget: number;
  /** Attempts per delivery at most (the first included). */
  maxAttempts: number;
  /** Backoff before retry n (1-based): min(baseMs * 2^(n-1), maxMs), jittered ±20%. */
  backoff: { baseMs: number; maxMs: number };
  /** An attempt taking longer fails as a network error (and is retried). */
  timeoutMs: number;
  /** Sends one request; default global fetch. */
  send: (url: string, init: RequestInit) => Promise<Response>;
}

const DEFAULTS: DispatcherOptions = {
  maxQueued: 1000,
  perTarget: 2,
  maxAttempts: 6,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  timeoutMs: 10_000,
  send: (url, init) => fetch(url, init),
};

interface Item extends Delivery {
  attempts: number;
}

/**
 * Delivers notifications off the reconcile path: `enqueue` never waits and
 * never throws. A bounded queue (full: dropped and reported), a concurrency
 * limit per target (a hung receiver holds only its own slots, and only until
 * the attempt times out), retries with exponential backoff on network
 * errors, 429 (honouring Retry-After) and 5xx; any other 4xx fails at once.
 */
export class Dispatcher {
  readonly #opts: DispatcherOptions;
  #waiting = new Map<string, Item[]>();
  #active = new Map<string, number>();
  #retrying = new Set<NodeJS.Timeout>();
  #controllers = new Set<AbortController>();
  #queued = 0;
  #stopped = false;

  constructor(opts: Partial<DispatcherOptions> = {}) {
    this.#opts = { ...DEFAULTS, ...opts, backoff: { ...DEFAULTS.backoff, ...opts.backoff } };
  }

  /** Deliveries queued or waiting to retry (the queue-depth gauge). */
  get depth(): number {
    return this.#queued;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    let n = 0;
    for (const v of this.#active.values()) n += v;
    return n;
  }

  /** Queues a delivery; false (and onDone with dropped) when the queue is full or the dispatcher stopped. */
  enqueue(delivery: Delivery): boolean {
    if (this.#stopped || this.#queued >= this.#opts.maxQueued) {
      delivery.onDone({ ok: false, attempts: 0, dropped: true, error: this.#stopped ? "dispatcher stopped" : "notification queue full" });
      return false;
    }
    this.#queued++;
    this.#push({ ...delivery, attempts: 0 });
    return true;
  }

  /** Stops: pending retries are dropped, requests in flight aborted. */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#retrying) clearTimeout(t);
    this.#retrying.clear();
    for (const c of this.#controllers) c.abort();
    this.#waiting.clear();
    this.#queued = 0;
  }

  #push(item: Item): void {
    const list = this.#waiting.get(item.target) ?? [];
    list.push(item);
    this.#waiting.set(item.target, list);
    this.#pump(item.target);
  }

  #pump(target: string): void {
    const list = this.#waiting.get(target);
    while (list?.length && (this.#active.get(target) ?? 0) < this.#opts.perTarget && !this.#stopped) {
      const item = list.shift()!;
      this.#active.set(target, (this.#active.get(target) ?? 0) + 1);
      void this.#attempt(item).finally(() => {
        const n = (this.#active.get(target) ?? 1) - 1;
        if (n) this.#active.set(target, n);
        else this.#active.delete(target);
        this.#pump(target);
      });
    }
    if (list && !list.length) this.#waiting.delete(target);
  }

  async #attempt(item: Item): Promise<void> {
    item.attempts++;
    const controller = new AbortController();
    this.#controllers.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.#opts.timeoutMs} ms`)), this.#opts.timeoutMs);
    let retryAfterMs: number | undefined;
    let outcome: DeliveryOutcome;
    let retry: boolean;
    try {
      const res = await this.#opts.send(item.request.url, { method: "POST", headers: item.request.headers, body: item.request.body, signal: controller.signal, redirect: "manual" });
      await res.body?.cancel().catch(() => undefined); // the answer's body is never read: it could echo anything
      const ok = res.status >= 200 && res.status < 300;
      outcome = { ok, status: res.status, attempts: item.attempts, ...(ok ? {} : { error: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}` }) };
      retry = !ok && (res.status === 429 || res.status >= 500);
      if (res.status === 429) retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
    } catch (err) {
      const reason = controller.signal.aborted ? (controller.signal.reason as Error | undefined)?.message ?? "aborted" : networkMessage(err);
      outcome = { ok: false, attempts: item.attempts, error: reason };
      retry = true;
    } finally {
      clearTimeout(timer);
      this.#controllers.delete(controller);
    }
    if (this.#stopped) return;
    if (retry && item.attempts < this.#opts.maxAttempts) {
      const wait = Math.min(retryAfterMs ?? this.#backoff(item.attempts), this.#opts.backoff.maxMs);
      const t = setTimeout(() => {
        this.#retrying.delete(t);
        this.#push(item);
      }, wait);
      t.unref();
      this.#retrying.add(t);
      return;
    }
    this.#queued--;
    item.onDone(outcome);
  }

  #backoff(attempt: number): number {
    const { baseMs, maxMs } = this.#opts.backoff;
    const plain = Math.min(baseMs * 2 ** (attempt - 1), maxMs);
    return Math.round(plain * (0.8 + Math.random() * 0.4));
  }
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** A network error's message and cause code, never the URL (fetch errors do not carry it, but be sure). */
function networkMessage(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return `network error: ${e.message ?? String(err)}${cause ? ` (${cause})` : ""}`.replace(/https?:\/\/\S+/g, "<url>");
}
