import type { Application, ApplicationStatus } from "../model/application.js";
import type { DiffReport } from "../sync/diff-report.js";
import { redactURL } from "../model/repo-url.js";

/** One item of `GET /api/v1/applications`. */
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
  /** When the last sync operation finished (or the newest history entry was deployed). */
  lastSyncedAt?: string;
}

/** The list view: identity, source, sync and health. URLs lose any userinfo. */
export function summaryOf(app: Application): AppSummary {
  const st: ApplicationStatus = app.status ?? {};
  const ready = st.conditions?.find((c) => c.type === "Ready");
  const lastSynced = st.operationState?.finishedAt ?? st.history?.[0]?.deployedAt;
  return {
    namespace: app.metadata.namespace ?? "",
    name: app.metadata.name,
    repoURL: redactURL(app.spec.source.repoURL),
    path: app.spec.source.path ?? ".",
    targetRevision: app.spec.source.targetRevision || "HEAD",
    automated: !!app.spec.syncPolicy?.automated,
    sync: { status: st.sync?.status ?? "Unknown", ...(st.sync?.revision ? { revision: st.sync.revision } : {}) },
    health: { status: st.health?.status ?? "Unknown", message: st.health?.message ?? "" },
    ...(ready ? { ready: { status: ready.status, reason: ready.reason, message: ready.message } } : {}),
    ...(st.operationState ? { operationPhase: st.operationState.phase } : {}),
    ...(lastSynced ? { lastSyncedAt: lastSynced } : {}),
  };
}

/** `GET /api/v1/applications/:namespace/:name`: spec summary, status and resources. */
export function detailOf(app: Application): Record<string, unknown> {
  const { spec } = app;
  const { resources = [], ...status } = app.status ?? {};
  return {
    ...summaryOf(app),
    createdAt: app.metadata.creationTimestamp,
    generation: app.metadata.generation,
    spec: {
      source: { repoURL: redactURL(spec.source.repoURL), targetRevision: spec.source.targetRevision || "HEAD", path: spec.source.path ?? ".", recurse: spec.source.directory?.recurse ?? true },
      destination: spec.destination ?? {},
      ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
      interval: spec.interval ?? "3m",
      suspend: spec.suspend ?? false,
      automated: spec.syncPolicy?.automated ? { prune: !!spec.syncPolicy.automated.prune, selfHeal: spec.syncPolicy.automated.selfHeal ?? true } : null,
      syncOptions: spec.syncPolicy?.syncOptions ?? [],
      rollout: spec.rollout ?? {},
      ignoreDifferences: spec.ignoreDifferences ?? [],
    },
    status,
    resources,
  };
}

/** `GET .../diff`: the report with the app's identity. */
export function diffViewOf(app: Application, report: DiffReport): Record<string, unknown> {
  return { namespace: app.metadata.namespace ?? "", name: app.metadata.name, ...report };
}
