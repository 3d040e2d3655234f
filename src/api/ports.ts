import type { Logger } from "../log.js";
import type { Application } from "../model/application.js";
import type { DiffReport } from "../sync/diff-report.js";
import type { AppStorePort, Authorizer, OwnedObjectsPort } from "../sync/ports.js";
import type { ScheduleRequest } from "../sync/scheduler.js";
import type { StreamLimits } from "./stream.js";

/** How a reconcile request was taken. */
export type RequestOutcome = "queued" | "unknown-app" | "not-leader";

/** How a webhook request ended: the `result` label of plumb_webhook_requests_total. */
export type WebhookResult = "accepted" | "ignored" | "unauthorized" | "bad_request" | "too_large" | "disabled";

/** What the API reports to metrics and serves on /metrics. */
export interface ApiMetrics {
  /** Content-Type of the exposition text. */
  readonly contentType: string;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  webhookReceived(provider: string, result: WebhookResult): void;
  httpRequest(method: string, route: string, code: number): void;
}

/**
 * Everything the HTTP API calls. Routes only translate HTTP to these calls;
 * the API never sees Kubernetes or Git, so it is tested with plain fakes.
 */
export interface ApiDeps {
  /** Applications from the operator's cache, and their changes (GET /api/v1/stream). */
  apps: Pick<AppStorePort, "get" | "list" | "subscribe">;
  /** Asks the controller for a reconcile (sync, rollback, webhook refresh). */
  request(namespace: string, name: string, req: ScheduleRequest): RequestOutcome;
  /** What a sync of the app's Git head would change (Secret values redacted). */
  diff(app: Application): Promise<DiffReport>;
  /** Whether caches are synced (GET /readyz). */
  ready(): boolean;
  /** Bearer-token authentication and authorization, or "none" (PLUMB_API_AUTH=none, loopback only). */
  auth: Authorizer | "none";
  /** Shared secret of the Git webhook; webhooks are refused while it is unset. */
  webhookSecret?: string;
  metrics?: ApiMetrics;
  logger?: Logger;
  /** Largest accepted request body (JSON and webhooks), default 1 MiB. */
  bodyLimitBytes?: number;
  /** What an app's workloads own (ReplicaSets, Pods): the dashboard's resource tree. Without it the tree has the inventory only. */
  owned?: OwnedObjectsPort;
  /** Directory of the built dashboard (index.html and assets/); without it /ui/ answers 503. */
  uiDir?: string;
  /** Limits of GET /api/v1/stream (defaults: STREAM_DEFAULTS). */
  stream?: Partial<StreamLimits>;
}
