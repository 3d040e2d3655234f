import type { Logger } from "../log.js";
import type { Application } from "../model/application.js";
import { Dispatcher, type DeliveryOutcome, type DispatcherOptions } from "./dispatcher.js";
import { NotifyError } from "./errors.js";
import { appEvent, eventKey } from "./events.js";
import { notifierWants } from "./match.js";
import { nextNotifierStatus, recorded, type DeliveryResult } from "./notifier-status.js";
import type { AppSource, NotifierStorePort, NotifyMetrics } from "./ports.js";
import { PROVIDERS } from "./providers/index.js";
import { safeAddress, scrub } from "./redact.js";
import type { NotificationEvent, Notifier, NotifierSecret, NotifierStatus } from "./types.js";

/** Delivery keys remembered in memory (beyond them, Notifier status is the record). */
const SENT_LIMIT = 10_000;

/**
 * Turns Application status transitions into notifications. It watches the
 * app store (the sync engine has no hook: events are derived from status, see
 * appEvent), matches each event to the Notifiers of the app's namespace, and
 * hands deliveries to the Dispatcher, so a reconcile never waits on a
 * receiver. Each (app, revision, event) goes out once per Notifier: in memory,
 * and across restarts and leader changes through the deliveries the Notifier's
 * status records. Only the leader runs it.
 */
export class NotificationService {
  readonly dispatcher: Dispatcher;
  #apps: AppSource;
  #store: NotifierStorePort;
  #logger: Logger;
  #metrics: NotifyMetrics | undefined;
  #last = new Map<string, string | undefined>();
  #sent = new Set<string>();
  #pending = new Map<string, { notifier: Notifier; results: DeliveryResult[] }>();
  #writing = new Map<string, Promise<void>>();
  #status = new Map<string, NotifierStatus>();
  #unsubscribe: (() => void) | undefined;
  #started: Promise<void> | undefined;
  #stopped = false;

  constructor(opts: { apps: AppSource; notifiers: NotifierStorePort; logger: Logger; metrics?: NotifyMetrics; dispatcher?: Partial<DispatcherOptions> }) {
    this.#apps = opts.apps;
    this.#store = opts.notifiers;
    this.#logger = opts.logger.child({ component: "notify" });
    this.#metrics = opts.metrics;
    this.dispatcher = new Dispatcher(opts.dispatcher);
  }

  /**
   * Starts watching Notifiers and, once their cache has synced, Applications.
   * The apps' current states are caught up then: one a Notifier created
   * before it was entered and has not recorded is delivered (a leader change
   * loses nothing and repeats nothing).
   */
  start(): void {
    this.#stopped = false;
    this.#started ??= this.#store.start().then(
      () => {
        if (this.#stopped) return;
        this.#unsubscribe = this.#apps.subscribe((type, app) => (type === "delete" ? this.#last.delete(idOf(app)) : this.#observe(app, false)));
        for (const app of this.#apps.list()) this.#observe(app, true);
      },
      (err: unknown) => this.#logger.error({ err: (err as Error).message }, "Notifier watch failed to start"),
    );
  }

  /** Resolves once started (Notifier cache synced and apps caught up). */
  get started(): Promise<void> {
    return this.#started ?? Promise.resolve();
  }

  /** Stops: no new deliveries; pending ones are dropped (the next leader catches up from status). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.dispatcher.stop();
    await Promise.allSettled([...this.#writing.values()]);
    await this.#store.stop();
    this.#started = undefined;
  }

  #observe(app: Application, catchUp: boolean): void {
    const event = appEvent(app);
    const id = idOf(app);
    const key = event ? eventKey(event) : undefined;
    const prev = this.#last.get(id);
    this.#last.set(id, key);
    if (!event || !key || (key === prev && !catchUp)) return;
    for (const notifier of this.#store.list(event.app.namespace)) {
      if (!notifierWants(notifier, app, event.event)) continue;
      if (catchUp && event.time < (notifier.metadata.creationTimestamp ?? "")) continue;
      const sentKey = `${notifier.metadata.uid ?? idOf(notifier)}|${key}`;
      if (this.#sent.has(sentKey) || recorded(this.#statusOf(notifier), event)) continue;
      this.#remember(sentKey);
      void this.#deliver(notifier, event);
    }
  }

  async #deliver(notifier: Notifier, event: NotificationEvent): Promise<void> {
    let secret: NotifierSecret = {};
    try {
      if (notifier.spec.secretRef?.name) secret = await this.#store.secret(notifier.metadata.namespace ?? "default", notifier.spec.secretRef.name);
      const request = PROVIDERS[notifier.spec.type](({ spec: notifier.spec, secret, event }));
      this.dispatcher.enqueue({ target: notifier.metadata.uid ?? idOf(notifier), request, onDone: (o) => this.#finished(notifier, event, secret, o) });
    } catch (err) {
      const code = err instanceof NotifyError || (err as { code?: string }).code ? String((err as { code?: string }).code) : "DeliveryFailed";
      this.#finished(notifier, event, secret, { ok: false, attempts: 0, error: (err as Error).message }, code);
    }
  }

  #finished(notifier: Notifier, event: NotificationEvent, secret: NotifierSecret, outcome: DeliveryOutcome, code?: string): void {
    const type = notifier.spec.type;
    const address = notifier.spec.address ?? secret.address;
    const where = address ? safeAddress(type, address) : "(no address)";
    const error = scrub(outcome.error ?? "", [secret.token, secret.hmacKey, secret.address, notifier.spec.address]);
    this.#metrics?.notification(type, outcome.ok ? "success" : outcome.dropped ? "dropped" : "failure");
    const fields = { notifier: idOf(notifier), type, app: `${event.app.namespace}/${event.app.name}`, event: event.event, revision: event.revision, attempts: outcome.attempts };
    if (outcome.ok) this.#logger.info({ ...fields, status: outcome.status }, "notification delivered");
    else this.#logger.warn({ ...fields, status: outcome.status, err: error }, "notification failed");
    if (this.#stopped) return;
    const reason = outcome.ok ? undefined : outcome.dropped ? "QueueFull" : (code ?? "DeliveryFailed");
    const message = outcome.ok ? `delivered ${event.event} of ${fields.app} at ${event.revision.slice(0, 7)} to ${where}` : `${event.event} of ${fields.app} at ${event.revision.slice(0, 7)} to ${where}: ${error}`;
    this.#queueStatus(notifier, { event, ok: outcome.ok, ...(reason ? { reason } : {}), message, at: new Date().toISOString() });
  }

  /** Status writes of one Notifier go out one at a time; results that arrive meanwhile go in the next write. */
  #queueStatus(notifier: Notifier, result: DeliveryResult): void {
    const id = idOf(notifier);
    const pending = this.#pending.get(id) ?? { notifier, results: [] };
    pending.results.push(result);
    this.#pending.set(id, pending);
    if (this.#writing.has(id)) return;
    const loop = (async () => {
      for (let next = this.#pending.get(id); next; next = this.#pending.get(id)) {
        this.#pending.delete(id);
        const status = nextNotifierStatus(this.#statusOf(next.notifier), next.results, this.#fresh(next.notifier).metadata.generation);
        this.#status.set(id, status);
        await this.#store.writeStatus(this.#fresh(next.notifier), status).catch((err: unknown) => this.#logger.warn({ notifier: id, err: (err as Error).message }, "Notifier status write failed"));
      }
    })().finally(() => this.#writing.delete(id));
    this.#writing.set(id, loop);
  }

  /** The newest status known: the one this process wrote, else the cache's. */
  #statusOf(notifier: Notifier): NotifierStatus | undefined {
    return this.#status.get(idOf(notifier)) ?? this.#fresh(notifier).status;
  }

  #fresh(notifier: Notifier): Notifier {
    return this.#store.list(notifier.metadata.namespace ?? "default").find((n) => n.metadata.name === notifier.metadata.name) ?? notifier;
  }

  #remember(key: string): void {
    if (this.#sent.size >= SENT_LIMIT) this.#sent.delete(this.#sent.values().next().value!);
    this.#sent.add(key);
  }
}

function idOf(o: { metadata: { namespace?: string; name: string } }): string {
  return `${o.metadata.namespace ?? "default"}/${o.metadata.name}`;
}
