/** The HTTP API's JSON, as the dashboard reads it (see src/api/views.ts). */

export interface AppSummary {
  namespace: string;
  name: string;
  repoURL: string;
  path: string;
  targetRevision: string;
  automated: boolean;
  sync: { status: string; revision?: string };
  health: { status: string; message: string };
  ready?: { status: string; reason: string; message: string };
  operationPhase?: string;
  lastSyncedAt?: string;
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface HistoryEntry {
  id: number;
  revision: string;
  deployedAt: string;
  health: string;
  trigger: string;
}

export interface AppDetail extends AppSummary {
  createdAt?: string;
  spec: { source: { repoURL: string; targetRevision: string; path: string }; destination: { namespace?: string }; interval: string; suspend: boolean; automated: { prune: boolean; selfHeal: boolean } | null };
  status: {
    conditions?: Condition[];
    operationState?: { phase: string; revision?: string; message?: string; startedAt?: string; finishedAt?: string };
    history?: HistoryEntry[];
    lastHealthyRevision?: string;
    failedRevision?: string;
  };
}

export interface TreeNode {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  health: { status: string; message: string };
  sync?: string;
  children: TreeNode[];
}

export interface DiffReport {
  revision: string;
  inSync: boolean;
  resources: { group: string; kind: string; namespace: string; name: string; action: string; diff: string; message?: string }[];
}

/** Key of an app in maps: "namespace/name". */
export const appId = (a: { namespace: string; name: string }): string => `${a.namespace}/${a.name}`;
