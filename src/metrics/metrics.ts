import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import type { SyncMetrics } from "../sync/context.js";
import { registerCollectors } from "./collectors.js";
import type { GitOperationSample, MetricsSources } from "./sources.js";

/** Seconds; a sync waits on rollouts, so buckets reach well into minutes. */
const SYNC_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200];
const GIT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Plumb's Prometheus metrics on their own registry (never the global one, so
 * two operators in one test process do not collide). Event metrics are
 * counted as they happen (it implements the sync engine's SyncMetrics);
 * state metrics (app health and sync, queue, API and Git counters) are read
 * from `MetricsSources` at scrape time, so they are never stale.
 */
export class PlumbMetrics implements SyncMetrics {
  readonly registry = new Registry();
  #sources: Partial<MetricsSources> = {};
  #syncs: Counter<"result">;
  #syncSeconds: Histogram<"result">;
  #applies: Counter<"kind" | "action">;
  #prunes: Counter<"kind">;
  #gitSeconds: Histogram<"operation" | "result">;
  #webhooks: Counter<"provider" | "result">;
  #http: Counter<"method" | "route" | "code">;
  #notifications: Counter<"type" | "result">;

  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#syncs = new Counter({ name: "plumb_sync_total", help: "Reconciles finished, by result (applied, unchanged, failed, superseded).", labelNames: ["result"], registers });
    this.#syncSeconds = new Histogram({ name: "plumb_sync_duration_seconds", help: "Duration of reconciles, including waiting for rollouts, by result.", labelNames: ["result"], buckets: SYNC_BUCKETS, registers });
    this.#applies = new Counter({ name: "plumb_apply_total", help: "Objects applied (server-side apply), by kind and action (create, update).", labelNames: ["kind", "action"], registers });
    this.#prunes = new Counter({ name: "plumb_prune_total", help: "Objects pruned because Git no longer has them, by kind.", labelNames: ["kind"], registers });
    this.#gitSeconds = new Histogram({ name: "plumb_git_operation_duration_seconds", help: "Duration of Git revision resolves and fetches, by operation and result.", labelNames: ["operation", "result"], buckets: GIT_BUCKETS, registers });
    this.#webhooks = new Counter({ name: "plumb_webhook_requests_total", help: "Git webhook requests, by provider and result.", labelNames: ["provider", "result"], registers });
    this.#http = new Counter({ name: "plumb_http_requests_total", help: "HTTP API requests, by method, route and status code.", labelNames: ["method", "route", "code"], registers });
    this.#notifications = new Counter({ name: "plumb_notifications_total", help: "Notifications finished, by Notifier type and result (success, failure, dropped).", labelNames: ["type", "result"], registers });
    registerCollectors(this.registry, () => this.#sources);
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Connects the scrape-time collectors to the running operator's parts. */
  attach(sources: Partial<MetricsSources>): void {
    this.#sources = { ...this.#sources, ...sources };
  }

  syncFinished(result: string, seconds: number): void {
    this.#syncs.inc({ result });
    this.#syncSeconds.observe({ result }, seconds);
  }

  objectWritten(kind: string, action: "create" | "update" | "prune"): void {
    if (action === "prune") this.#prunes.inc({ kind });
    else this.#applies.inc({ kind, action });
  }

  /** Records one Git resolve or fetch (wire to GitSourceOptions.onOperation). */
  gitOperation(event: GitOperationSample): void {
    this.#gitSeconds.observe({ operation: event.kind, result: event.error ? "failure" : "success" }, event.durationMs / 1000);
  }

  /** Counts one webhook request. */
  webhookReceived(provider: string, result: string): void {
    this.#webhooks.inc({ provider, result });
  }

  /** Counts one HTTP API request; `route` is the matched route pattern, never the raw path. */
  httpRequest(method: string, route: string, code: number): void {
    this.#http.inc({ method, route, code: String(code) });
  }

  /** Counts one finished notification (implements notify's NotifyMetrics). */
  notification(type: string, result: "success" | "failure" | "dropped"): void {
    this.#notifications.inc({ type, result });
  }

  /** The Content-Type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Every metric name Plumb itself exposes (process_* and nodejs_* come from prom-client's defaults). */
export const METRIC_NAMES = [
  "plumb_sync_total",
  "plumb_sync_duration_seconds",
  "plumb_apply_total",
  "plumb_prune_total",
  "plumb_app_health_status",
  "plumb_app_sync_status",
  "plumb_reconcile_queue_depth",
  "plumb_reconcile_active",
  "plumb_kube_api_requests_total",
  "plumb_git_operation_duration_seconds",
  "plumb_git_requests_total",
  "plumb_git_fetches_total",
  "plumb_git_received_bytes_total",
  "plumb_webhook_requests_total",
  "plumb_http_requests_total",
  "plumb_notifications_total",
  "plumb_notification_queue_depth",
] as const;
