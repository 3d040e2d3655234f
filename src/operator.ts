import { mkdirSync } from "node:fs";
import { ChartRepository } from "./charts/index.js";
import type { OperatorConfig } from "./config.js";
import type { Logger } from "./log.js";
import { createGitSource, type GitOperationEvent } from "./git/index.js";
import { KubeAppStore } from "./kube/app-store.js";
import { KubeCluster } from "./kube/cluster.js";
import { KubeNotifierStore } from "./kube/notifier-store.js";
import { loadKubeConfig } from "./kube/config.js";
import { Discovery } from "./kube/discovery.js";
import { LiveCache } from "./kube/live-cache.js";
import { ObjectClient } from "./kube/objects.js";
import { KubeOwnedObjects } from "./kube/owned-objects.js";
import { RestClient } from "./kube/rest.js";
import type { Application } from "./model/application.js";
import { noMetrics, type SyncContext, type SyncMetrics } from "./sync/context.js";
import { systemClock } from "./sync/clock.js";
import { Controller } from "./sync/controller.js";
import { RenderMemo } from "./sync/desired.js";
import { DEFAULT_TOOL_BOUNDS } from "./render/index.js";
import { DriftMemory } from "./sync/drift-memory.js";
import { applierOf } from "./sync/tenancy.js";
import { NotificationService } from "./notify/service.js";
import type { NotifyMetrics } from "./notify/ports.js";

/** The concrete parts of a running operator, built from config. */
export interface OperatorParts {
  rest: RestClient;
  discovery: Discovery;
  cache: LiveCache;
  apps: KubeAppStore;
  controller: Controller;
  ctx: SyncContext;
  git: ReturnType<typeof createGitSource>;
  /** Reads what an app's workloads own (the dashboard's resource tree). */
  owned: KubeOwnedObjects;
  /** Notifications from Application status transitions; the leader runs it beside the controller. */
  notifications: NotificationService;
}

/**
 * Builds the concretes (kube client, discovery, watch caches, Git, the sync
 * context and controller) without starting anything.
 */
export function buildOperator(
  cfg: OperatorConfig,
  logger: Logger,
  metrics: SyncMetrics = noMetrics,
  hooks: { onGitOperation?: (event: GitOperationEvent) => void; notifyMetrics?: NotifyMetrics } = {},
): OperatorParts {
  const kc = loadKubeConfig({ kubeconfig: cfg.kubeconfig, serviceAccountDir: cfg.serviceAccountDir, server: cfg.server });
  const rest = new RestClient(kc);
  const discovery = new Discovery(rest);
  const cache = new LiveCache({ rest, logger });
  const objects = new ObjectClient({ rest, discovery });
  const apps = new KubeAppStore({ rest, logger, namespace: cfg.namespace });
  mkdirSync(cfg.cacheDir, { recursive: true });
  const git = createGitSource({ cacheDir: cfg.cacheDir, timeoutMs: cfg.gitTimeoutSeconds * 1000, logger, ...(hooks.onGitOperation ? { onOperation: hooks.onGitOperation } : {}) });
  const operatorCluster = new KubeCluster({ objects, discovery, cache });
  const ctx: SyncContext = {
    git,
    clusterFor: (app: Application) => {
      const applier = applierOf(app, cfg);
      return applier.kind === "operator" ? operatorCluster : new KubeCluster({ objects: objects.as(applier.user), discovery, cache });
    },
    apps,
    logger,
    clock: systemClock,
    metrics,
    drift: new DriftMemory(),
    renders: new RenderMemo(),
    charts: new ChartRepository({ cacheDir: cfg.cacheDir, timeoutMs: cfg.gitTimeoutSeconds * 1000 }),
    tools: { ...cfg.tools, workDir: cfg.cacheDir, concurrency: DEFAULT_TOOL_BOUNDS.concurrency },
    supersedeCheckMs: 3_000,
  };
  const controller = new Controller({ ctx, concurrency: cfg.concurrency, liveChanges: (l) => cache.subscribe((_t, o) => l(o)) });
  const notifiers = new KubeNotifierStore({ rest, logger, ...(cfg.namespace ? { namespace: cfg.namespace } : {}) });
  const notifications = new NotificationService({ apps, notifiers, logger, ...(hooks.notifyMetrics ? { metrics: hooks.notifyMetrics } : {}) });
  return { rest, discovery, cache, apps, controller, ctx, git, owned: new KubeOwnedObjects({ rest, cache }), notifications };
}
