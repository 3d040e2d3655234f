import type { Logger } from "../log.js";
import type { Application } from "../model/application.js";
import type { RenderTools } from "../render/index.js";
import type { AppStorePort, ChartRepoPort, ClusterPort, Clock, GitPort } from "./ports.js";
import type { DriftMemory } from "./drift-memory.js";
import type { RenderMemo } from "./desired.js";

/** Counters the sync engine reports; the operator wires them to Prometheus. */
export interface SyncMetrics {
  syncFinished(result: string, seconds: number): void;
  objectWritten(kind: string, action: "create" | "update" | "prune"): void;
}

/** Everything a reconcile needs, built once in main.ts. */
export interface SyncContext {
  git: GitPort;
  /** The cluster as this app's identity (its ServiceAccount when it names one). */
  clusterFor(app: Application): ClusterPort;
  apps: AppStorePort;
  logger: Logger;
  clock: Clock;
  metrics: SyncMetrics;
  drift: DriftMemory;
  /** Recent renders, so unchanged paths are not rendered again (optional). */
  renders?: RenderMemo;
  /** Helm chart repositories (needed by apps with spec.source.chart). */
  charts?: ChartRepoPort;
  /** The kustomize and helm binaries and their bounds (needed by Kustomize and Helm apps). */
  tools?: RenderTools;
  /** How often a health gate re-checks the remote head for a newer commit. */
  supersedeCheckMs: number;
}

/** Metrics that count nothing (tests, CLI). */
export const noMetrics: SyncMetrics = { syncFinished: () => undefined, objectWritten: () => undefined };
