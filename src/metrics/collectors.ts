import { Counter, Gauge, type Registry } from "prom-client";
import { HEALTH_ORDER } from "../model/health.js";
import type { SyncStatusCode } from "../model/application.js";
import type { MetricsSources } from "./sources.js";

const SYNC_STATES: readonly SyncStatusCode[] = ["Synced", "OutOfSync", "Unknown"];

/**
 * Registers the metrics read at scrape time. App gauges have one series per
 * app and state (1 for the current state, 0 for the others), as kube-state-
 * metrics does, so `plumb_app_health_status{status="Degraded"} == 1` alerts
 * and series of deleted apps disappear at the next scrape.
 */
export function registerCollectors(registry: Registry, sources: () => Partial<MetricsSources>): void {
  const registers = [registry];
  new Gauge({
    name: "plumb_app_health_status",
    help: "Health of each Application: 1 for its current status, 0 for the others.",
    labelNames: ["namespace", "name", "status"],
    registers,
    collect() {
      this.reset();
      for (const app of sources().apps?.() ?? []) {
        const current = app.status?.health?.status ?? "Unknown";
        const ids = { namespace: app.metadata.namespace ?? "", name: app.metadata.name };
        for (const status of HEALTH_ORDER) this.set({ ...ids, status }, status === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: "plumb_app_sync_status",
    help: "Sync state of each Application: 1 for its current status, 0 for the others.",
    labelNames: ["namespace", "name", "status"],
    registers,
    collect() {
      this.reset();
      for (const app of sources().apps?.() ?? []) {
        const current = app.status?.sync?.status ?? "Unknown";
        const ids = { namespace: app.metadata.namespace ?? "", name: app.metadata.name };
        for (const status of SYNC_STATES) this.set({ ...ids, status }, status === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: "plumb_reconcile_queue_depth",
    help: "Applications waiting for a reconcile slot.",
    registers,
    collect() {
      this.set(sources().queue?.().depth ?? 0);
    },
  });
  new Gauge({
    name: "plumb_reconcile_active",
    help: "Applications reconciling right now.",
    registers,
    collect() {
      this.set(sources().queue?.().active ?? 0);
    },
  });
  new Gauge({
    name: "plumb_notification_queue_depth",
    help: "Notifications queued or waiting to retry.",
    registers,
    collect() {
      this.set(sources().notifications?.() ?? 0);
    },
  });
  new Counter({
    name: "plumb_kube_api_requests_total",
    help: "Requests sent to the Kubernetes API server, by verb (DRYRUN: server-side dry-run applies) and resource (plural.group).",
    labelNames: ["verb", "resource"],
    registers,
    collect() {
      this.reset();
      for (const [key, n] of Object.entries(sources().kubeRequests?.() ?? {})) {
        const [verb = "", resource = ""] = key.split(" ");
        this.inc({ verb, resource }, n);
      }
    },
  });
  const git = (name: string, help: string, pick: (s: { requests: number; fetches: number; bytes: number }) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        const stats = sources().git?.();
        this.reset();
        if (stats) this.inc(pick(stats));
      },
    });
  git("plumb_git_requests_total", "HTTP requests sent to Git servers.", (s) => s.requests);
  git("plumb_git_fetches_total", "Git pack fetches (negotiations that download objects).", (s) => s.fetches);
  git("plumb_git_received_bytes_total", "Bytes received from Git servers.", (s) => s.bytes);
}
