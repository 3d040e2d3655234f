import type { Health, HealthStatus } from "./health.js";
import type { KubeObject } from "./object.js";

/** `spec.source.kustomize`: edits applied as `kustomize edit` would, on a scratch copy. */
export interface KustomizeOptions {
  namePrefix?: string;
  nameSuffix?: string;
  /** Kustomize's image syntax: `name=newName:tag`, `name:tag`, `name@digest`. */
  images?: string[];
  commonLabels?: Record<string, string>;
}

/** `spec.source.helm`: how a chart is templated. */
export interface HelmOptions {
  /** Default: the Application's name. */
  releaseName?: string;
  /** Relative to the chart directory; must stay inside the repository. */
  valueFiles?: string[];
  /** Merged last, over every value file. */
  values?: Record<string, unknown>;
}

/** `spec.source` of an Application. */
export interface ApplicationSource {
  /** A Git repository, or a Helm chart repository when `chart` is set. */
  repoURL: string;
  /** Branch, tag or commit; for a chart, an exact version or a semver range. */
  targetRevision?: string;
  path?: string;
  directory?: { recurse?: boolean };
  secretRef?: { name: string };
  kustomize?: KustomizeOptions;
  helm?: HelmOptions;
  /** The chart's name in the chart repository at repoURL. */
  chart?: string;
}

/** `spec.ignoreDifferences[]`. */
export interface IgnoreDifference {
  group?: string;
  kind: string;
  name?: string;
  namespace?: string;
  jsonPointers?: string[];
}

/** `spec` of an Application (see deploy/crd). */
export interface ApplicationSpec {
  source: ApplicationSource;
  destination?: { namespace?: string };
  serviceAccountName?: string;
  interval?: string;
  suspend?: boolean;
  syncPolicy?: {
    automated?: { prune?: boolean; selfHeal?: boolean };
    syncOptions?: string[];
    retry?: { limit?: number; backoff?: { duration?: string; factor?: number; maxDuration?: string } };
  };
  rollout?: { timeout?: string; autoRollback?: boolean };
  ignoreDifferences?: IgnoreDifference[];
}

export type SyncStatusCode = "Synced" | "OutOfSync" | "Unknown";
export type OperationPhase = "Running" | "Succeeded" | "Failed" | "Error";
export type HistoryTrigger = "Automated" | "Manual" | "Rollback";

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** `status.resources[]`: the inventory and per-resource state. */
export interface ResourceStatus {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status: SyncStatusCode;
  health?: { status: HealthStatus; message?: string };
  message?: string;
  /**
   * Hash of the manifest and the live values of the fields it declares, the
   * last time they were found in sync. After a restart or failover an object
   * whose hash, recomputed from its live state, still matches is in sync
   * without a dry-run; a hash is never trusted without recomputing it.
   */
  syncHash?: string;
}

/** `status.history[]`, newest first. */
export interface HistoryEntry {
  id: number;
  revision: string;
  deployedAt: string;
  health: HealthStatus;
  trigger: HistoryTrigger;
}

/** `status` of an Application. */
export interface ApplicationStatus {
  observedGeneration?: number;
  sync?: { status: SyncStatusCode; revision?: string; shortRevision?: string };
  health?: Health;
  conditions?: Condition[];
  resources?: ResourceStatus[];
  operationState?: {
    phase: OperationPhase;
    revision?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
  };
  history?: HistoryEntry[];
  lastHealthyRevision?: string;
  /** Revision that failed its rollout and was rolled back; not re-applied until a newer commit. */
  failedRevision?: string;
}

/** An Application custom resource. */
export interface Application extends KubeObject {
  spec: ApplicationSpec;
  status?: ApplicationStatus;
}
