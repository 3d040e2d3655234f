import { compareObjects, renderUnifiedDiff, type ObjectComparison } from "../diff/index.js";
import { KubeError } from "../errors.js";
import type { Application, IgnoreDifference } from "../model/application.js";
import { TRACKING_ANNOTATION } from "../model/labels.js";
import { splitApiVersion, type KubeObject } from "../model/object.js";
import { keyString, type ResourceKey } from "../model/resource-key.js";
import { objectError, refOf } from "./compare.js";
import { mapLimit } from "./concurrency.js";
import type { SyncContext } from "./context.js";
import { appTrackingId, renderDesired, type DesiredObject } from "./desired.js";
import { findOrphans } from "./observe.js";
import { planSync, type ComparedObject } from "./plan.js";
import type { ClusterPort } from "./ports.js";
import { fetchSource, resolveHead } from "./source.js";

/** What a sync would do to one resource. */
export type DiffAction = "create" | "update" | "none" | "prune" | "extraneous" | "conflict" | "error";

/** One resource's difference, live vs desired; Secret values are redacted. */
export interface ResourceDiff extends ResourceKey {
  version: string;
  action: DiffAction;
  /** Unified diff of the normalized objects as YAML; "" when there is no difference. */
  diff: string;
  /** The same difference as a JSON patch (RFC 6902) from live to desired. */
  patch: ObjectComparison["patch"];
  message?: string;
}

/** The difference between an Application's Git head and the cluster. */
export interface DiffReport {
  /** The commit the desired state was rendered from. */
  revision: string;
  /** True when a sync would change nothing. */
  inSync: boolean;
  resources: ResourceDiff[];
}

/**
 * What a sync of the app's current head would change: the same stages as a
 * reconcile (resolve, fetch, render, server-side dry-run, compare) without
 * writing anything, plus the inventory objects Git dropped.
 */
export async function diffApplication(ctx: SyncContext, app: Application): Promise<DiffReport> {
  const head = await resolveHead(ctx, app);
  const source = await fetchSource(ctx, app, { headRevision: head });
  const cluster = ctx.clusterFor(app);
  const desired = await renderDesired({ app, source, cluster, ...(ctx.tools ? { tools: ctx.tools } : {}) });
  const ownerOf = (key: ResourceKey) => appTrackingId(app, key);
  const diffs = await diffDesired({ cluster, desired, ignore: app.spec.ignoreDifferences ?? [], ownerOf });
  const orphans = await findOrphans({ app, cluster, desired });
  const automated = app.spec.syncPolicy?.automated;
  // a manual app is only ever synced by hand, and a manual sync prunes
  const plan = planSync({ compared: diffs.map(asCompared), orphans, trackingIdOf: ownerOf, prune: automated ? !!automated.prune : true });
  const pruned = plan.prunes.flatMap((p): ResourceDiff[] => {
    if (p.action === "forget") return [];
    const live = orphans.find((o) => keyString(o.key) === keyString(p.key))?.live;
    const d = entry(p.key, p.apiVersion, p.action, live, undefined);
    return [{ ...d, message: p.reason }];
  });
  const resources = [...diffs.map((d) => d.diff), ...pruned];
  return { revision: head, inSync: resources.every((r) => r.action === "none"), resources };
}

/** One desired object compared with the cluster. */
export interface DesiredDiff {
  desired: DesiredObject;
  live: KubeObject | undefined;
  diff: ResourceDiff;
}

/**
 * Compares each desired object with the cluster by server-side dry-run
 * apply, as a sync would, and renders the difference. One object's failure
 * (an invalid manifest) is reported on that object, not thrown. With `fresh`
 * every live object is read with a GET (the CLI has no watch cache).
 */
export async function diffDesired(opts: {
  cluster: ClusterPort;
  desired: DesiredObject[];
  ignore?: readonly IgnoreDifference[];
  /** The tracking id this app writes; objects carrying another are conflicts. */
  ownerOf?: (key: ResourceKey) => string;
  fresh?: boolean;
  /** Adjusts a desired object once its live object is known (the CLI keeps an owning app's tracking metadata). */
  prepare?: (desired: KubeObject, live: KubeObject | undefined) => KubeObject;
}): Promise<DesiredDiff[]> {
  const { cluster, ignore = [] } = opts;
  return mapLimit(opts.desired, 8, async (rendered): Promise<DesiredDiff> => {
    const { apiVersion } = rendered.object;
    let live = await cluster.getLive({ ...refOf(rendered), fresh: opts.fresh ?? false });
    const d = opts.prepare ? { ...rendered, object: opts.prepare(rendered.object, live) } : rendered;
    let owner = live?.metadata.annotations?.[TRACKING_ANNOTATION];
    if (opts.ownerOf && owner && owner !== opts.ownerOf(d.key) && !opts.fresh) {
      // the watch cache reads as the operator: only the app's own identity may say whose it is
      try {
        live = await cluster.getLive({ ...refOf(d), fresh: true });
      } catch (err) {
        return { desired: d, live: undefined, diff: { ...entry(d.key, apiVersion, "error", undefined, undefined), message: objectError(d, err).message } };
      }
      owner = live?.metadata.annotations?.[TRACKING_ANNOTATION];
    }
    if (opts.ownerOf && owner && owner !== opts.ownerOf(d.key)) {
      return { desired: d, live, diff: { ...entry(d.key, apiVersion, "conflict", undefined, undefined), message: `owned by ${owner}; a sync will not touch it` } };
    }
    if (!(await cluster.kindOf(apiVersion, d.object.kind))) {
      return { desired: d, live, diff: { ...entry(d.key, apiVersion, "create", live, d.object, ignore), message: "kind not served yet (its CRD is applied in the same sync)" } };
    }
    let dry: KubeObject;
    try {
      dry = await cluster.apply(d.object, { dryRun: true });
    } catch (err) {
      if (!live && err instanceof KubeError && err.status === 404) {
        return { desired: d, live, diff: { ...entry(d.key, apiVersion, "create", live, d.object, ignore), message: `namespace ${d.key.namespace} does not exist yet` } };
      }
      return { desired: d, live, diff: { ...entry(d.key, apiVersion, "error", undefined, undefined), message: objectError(d, err).message } };
    }
    if (live && live.metadata.resourceVersion !== dry.metadata.resourceVersion) live = await cluster.getLive({ ...refOf(d), fresh: true });
    const { inSync, patch } = compareObjects({ live, desired: dry, ignore });
    return { desired: d, live, diff: entry(d.key, apiVersion, inSync ? "none" : live ? "update" : "create", live, dry, ignore, patch) };
  });
}

function entry(key: ResourceKey, apiVersion: string, action: DiffAction, live: KubeObject | undefined, desired: KubeObject | undefined, ignore: readonly IgnoreDifference[] = [], patch?: ResourceDiff["patch"]): ResourceDiff {
  const base = { ...key, version: splitApiVersion(apiVersion).version, action };
  if (action === "none" || action === "conflict" || action === "error" || (!live && !desired)) return { ...base, diff: "", patch: [] };
  const text = renderUnifiedDiff({ key: keyString(key), ...(live ? { live } : {}), ...(desired ? { desired } : {}), ignore });
  return { ...base, diff: text, patch: patch ?? (desired ? compareObjects({ live, desired, ignore }).patch : [{ op: "remove", path: "" }]) };
}

function asCompared(c: DesiredDiff): ComparedObject {
  const conflictWith = c.diff.action === "conflict" ? c.live?.metadata.annotations?.[TRACKING_ANNOTATION] : undefined;
  return { key: c.desired.key, object: c.desired.object, live: c.live, inSync: c.diff.action === "none", ...(conflictWith ? { conflictWith } : {}) };
}
