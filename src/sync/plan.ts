import type { KubeObject } from "../model/object.js";
import { TRACKING_ANNOTATION } from "../model/labels.js";
import { keyString, type ResourceKey } from "../model/resource-key.js";
import { compareOrder, orderKey, stepOf } from "./order.js";

/** A desired object after comparison with the cluster. */
export interface ComparedObject {
  key: ResourceKey;
  /** Desired manifest, labelled and annotated for tracking. */
  object: KubeObject;
  /** What to apply when it is not the manifest itself: ignored fields keep their live values. */
  apply?: KubeObject;
  live: KubeObject | undefined;
  /** True when a dry-run apply would change nothing. */
  inSync: boolean;
  /** Tracking id of another Application that owns the live object, if any. */
  conflictWith?: string;
  /** Not yet dry-run: its namespace or CRD is created by this sync (validated once they exist). */
  unvalidated?: boolean;
  /** File and line it was rendered from. */
  source?: { file: string; line: number };
}

/** An object Plumb tracked that Git no longer has. */
export interface OrphanObject {
  key: ResourceKey;
  apiVersion: string;
  live: KubeObject | undefined;
}

export type TaskAction = "create" | "update" | "skip" | "conflict";

/** One object's work in a sync. */
export interface SyncTask {
  action: TaskAction;
  key: ResourceKey;
  object: KubeObject;
  /** See ComparedObject.apply. */
  apply?: KubeObject;
  live: KubeObject | undefined;
  conflictWith?: string;
  /** See ComparedObject.unvalidated. */
  unvalidated?: boolean;
  source?: { file: string; line: number };
}

/** A health-gated step: a phase (Namespaces, CRDs, ...) or a wave. */
export interface SyncStep {
  name: string;
  tasks: SyncTask[];
}

/** What to do with an orphan. */
export interface PruneTask {
  action: "prune" | "extraneous" | "forget";
  key: ResourceKey;
  apiVersion: string;
  uid?: string;
  reason: string;
}

/** The plan of a sync; pure data, no I/O happened to make it. */
export interface SyncPlan {
  steps: SyncStep[];
  prunes: PruneTask[];
  /** True when nothing needs writing (every desired object in sync, nothing to prune). */
  inSync: boolean;
  /** True when applying the plan writes: something to create, update or prune (objects kept as extraneous are not). */
  writes: boolean;
  /** Why pruning was withheld, when it was. */
  pruneWithheld?: string;
}

/**
 * Plans a sync: orders desired objects into health-gated steps (Namespaces,
 * CRDs, cluster RBAC, then waves, webhooks last) and decides, for objects the
 * app tracked but Git dropped, whether to prune them. Pruning needs all of:
 * prune enabled, a non-empty render, no object in conflict with another
 * Application, and the live object still carrying this app's tracking id.
 */
export function planSync(input: {
  compared: ComparedObject[];
  orphans: OrphanObject[];
  trackingIdOf: (key: ResourceKey) => string;
  prune: boolean;
}): SyncPlan {
  const sorted = [...input.compared].sort((a, b) => compareOrder(orderKey(a.key, a.object), orderKey(b.key, b.object)));
  const steps: SyncStep[] = [];
  for (const c of sorted) {
    const name = stepOf(c.key, c.object);
    let step = steps.at(-1);
    if (!step || step.name !== name) steps.push((step = { name, tasks: [] }));
    step.tasks.push({
      action: c.conflictWith ? "conflict" : !c.live ? "create" : c.inSync ? "skip" : "update",
      key: c.key,
      object: c.object,
      ...(c.apply ? { apply: c.apply } : {}),
      live: c.live,
      ...(c.conflictWith ? { conflictWith: c.conflictWith } : {}),
      ...(c.unvalidated ? { unvalidated: true } : {}),
      ...(c.source ? { source: c.source } : {}),
    });
  }
  // prune needs every earlier step to succeed: a conflict is not success
  const conflicts = steps.reduce((n, s) => n + s.tasks.filter((t) => t.action === "conflict").length, 0);
  const pruneWithheld = input.orphans.length === 0
    ? undefined
    : input.compared.length === 0
      ? "the render produced zero objects; refusing to prune everything"
      : conflicts
        ? `${conflicts} object(s) are in conflict with another Application; nothing is pruned until every object applies`
        : undefined;
  const prunes = input.orphans.map((o): PruneTask => {
    const base = { key: o.key, apiVersion: o.apiVersion };
    if (!o.live) return { ...base, action: "forget", reason: "already gone" };
    const owner = o.live.metadata.annotations?.[TRACKING_ANNOTATION];
    if (owner !== input.trackingIdOf(o.key)) {
      return { ...base, action: "forget", reason: `not owned by this Application (tracking id ${owner ?? "none"})` };
    }
    if (pruneWithheld) return { ...base, action: "extraneous", reason: pruneWithheld };
    if (!input.prune) return { ...base, action: "extraneous", reason: "prune is disabled" };
    return { ...base, action: "prune", uid: o.live.metadata.uid, reason: "no longer in Git" };
  });
  const writes = steps.some((s) => s.tasks.some((t) => t.action === "create" || t.action === "update"));
  return {
    steps,
    prunes,
    writes: writes || prunes.some((p) => p.action === "prune"),
    inSync: !writes && !prunes.some((p) => p.action !== "forget") && !conflicts,
    ...(pruneWithheld ? { pruneWithheld } : {}),
  };
}

/** Tasks of a plan by key string. */
export function tasksByKey(plan: SyncPlan): Map<string, SyncTask> {
  return new Map(plan.steps.flatMap((s) => s.tasks.map((t) => [keyString(t.key), t] as const)));
}
