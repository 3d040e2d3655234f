import type { Application } from "../model/application.js";

/**
 * What the scrape-time collectors read. Plain functions, so metrics/ needs
 * neither kube/ nor git/: the operator's wiring passes them in once the
 * concretes exist.
 */
export interface MetricsSources {
  /** Every Application in the cache (health and sync gauges). */
  apps: () => Application[];
  /** The reconcile queue: apps waiting and apps running. */
  queue: () => { depth: number; active: number };
  /** Kubernetes API requests sent so far, by "VERB resource" (DRYRUN counted apart from PATCH). */
  kubeRequests: () => Record<string, number>;
  /** Git counters so far. */
  git: () => { requests: number; fetches: number; bytes: number };
  /** Notifications queued or waiting to retry. */
  notifications: () => number;
}

/** One finished Git operation (same shape as git/'s GitOperationEvent). */
export interface GitOperationSample {
  kind: "resolve" | "fetch";
  durationMs: number;
  /** GitError code when it failed. */
  error?: string;
}

