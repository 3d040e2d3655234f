import type { Application } from "../model/application.js";
import { TRACKING_ANNOTATION } from "../model/labels.js";
import type { KubeObject } from "../model/object.js";
import { trackingIdOwner } from "../model/resource-key.js";
import type { SyncContext } from "./context.js";
import { durationMs } from "./duration.js";
import { reconcile, type ReconcileResult } from "./reconcile.js";
import { Scheduler, type RetryPolicy, type ScheduleRequest } from "./scheduler.js";

const DEFAULT_INTERVAL_MS = 180_000;

/**
 * Joins the event sources to the scheduler: Application adds and spec
 * changes, changes to managed objects (self-heal, health), timers, webhooks
 * and API requests all just name an Application; the reconcile re-reads the
 * rest.
 */
export class Controller {
  readonly scheduler: Scheduler;
  #ctx: SyncContext;
  #seen = new Map<string, string>();
  /** Cancels of the short delays that coalesce bursts of live changes per app. */
  #soon = new Map<string, () => void>();
  #unsubscribe: (() => void)[] = [];
  #liveChanges: (listener: (obj: KubeObject) => void) => () => void;

  constructor(opts: { ctx: SyncContext; concurrency?: number; liveChanges: (listener: (obj: KubeObject) => void) => () => void }) {
    this.#ctx = opts.ctx;
    this.#liveChanges = opts.liveChanges;
    this.scheduler = new Scheduler({
      run: (key, req) => this.#run(key, req),
      intervalOf: (key) => safeDuration(this.#app(key)?.spec.interval, DEFAULT_INTERVAL_MS),
      retryOf: (key) => retryPolicy(this.#app(key)),
      concurrency: opts.concurrency ?? 8,
      logger: opts.ctx.logger,
      clock: opts.ctx.clock,
    });
  }

  /** Starts reacting to Applications (the store must be synced) and to managed objects. */
  start(): void {
    const { apps } = this.#ctx;
    this.#unsubscribe.push(
      apps.subscribe((type, app) => {
        const key = idOf(app);
        if (type === "delete") {
          this.scheduler.remove(key);
          this.#seen.delete(key);
          this.#ctx.drift.forgetApp(key);
          return;
        }
        // our own status writes change neither generation nor annotations
        const fingerprint = `${app.metadata.generation}|${JSON.stringify(app.metadata.annotations ?? {})}`;
        if (this.#seen.get(key) === fingerprint) return;
        this.#seen.set(key, fingerprint);
        this.scheduler.enqueue(key);
      }),
      this.#liveChanges((obj) => {
        const owner = trackingIdOwner(obj.metadata.annotations?.[TRACKING_ANNOTATION] ?? "");
        if (owner) this.#enqueueSoon(`${owner.namespace}/${owner.name}`);
      }),
    );
    for (const app of apps.list()) {
      this.#seen.set(idOf(app), `${app.metadata.generation}|${JSON.stringify(app.metadata.annotations ?? {})}`);
      this.scheduler.enqueue(idOf(app));
    }
  }

  /** Asks for a reconcile now (webhook: urgent; API sync: manual; rollback). */
  request(namespace: string, name: string, req: ScheduleRequest = {}): boolean {
    if (!this.#ctx.apps.get(namespace, name)) return false;
    this.scheduler.enqueue(`${namespace}/${name}`, { ...req, refresh: true }); // someone says Git moved: ask it
    return true;
  }

  /** Stops the scheduler and the subscriptions; waits for running reconciles. */
  async stop(): Promise<void> {
    for (const u of this.#unsubscribe.splice(0)) u();
    for (const cancel of this.#soon.values()) cancel();
    await this.scheduler.stop();
  }

  #enqueueSoon(key: string): void {
    if (this.#soon.has(key)) return;
    const cancel = this.#ctx.clock.after(300, () => {
      this.#soon.delete(key);
      if (this.#app(key)) this.scheduler.enqueue(key);
    });
    this.#soon.set(key, cancel);
  }

  #app(key: string): Application | undefined {
    const [ns = "", name = ""] = key.split("/");
    return this.#ctx.apps.get(ns, name);
  }

  async #run(key: string, req: Parameters<typeof reconcile>[2]): Promise<ReconcileResult> {
    const app = this.#app(key);
    if (!app) return { outcome: "skipped" };
    if (app.spec.suspend && !req?.manual) return { outcome: "skipped" };
    return reconcile(this.#ctx, app, req);
  }
}

function idOf(app: Application): string {
  return `${app.metadata.namespace}/${app.metadata.name}`;
}

function safeDuration(text: string | undefined, fallback: number): number {
  try {
    return Math.max(durationMs(text, fallback), 1_000);
  } catch {
    return fallback;
  }
}

function retryPolicy(app: Application | undefined): RetryPolicy {
  const r = app?.spec.syncPolicy?.retry;
  return {
    limit: r?.limit ?? 5,
    baseMs: safeDuration(r?.backoff?.duration, 5_000),
    factor: r?.backoff?.factor ?? 2,
    maxMs: safeDuration(r?.backoff?.maxDuration, 180_000),
  };
}
