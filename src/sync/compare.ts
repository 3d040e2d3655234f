import { compareObjects, keepIgnoredFields } from "../diff/index.js";
import type { Application } from "../model/application.js";
import type { KubeObject } from "../model/object.js";
import { TRACKING_ANNOTATION } from "../model/labels.js";
import { keyString } from "../model/resource-key.js";
import { KubeError, PlumbError } from "../errors.js";
import type { SyncContext } from "./context.js";
import { appTrackingId, type DesiredObject } from "./desired.js";
import type { ComparedObject } from "./plan.js";
import type { ClusterPort } from "./ports.js";
import { mapLimit } from "./concurrency.js";

/** Error of one object during comparison, naming it and its file. */
export class ComparisonError extends PlumbError {}

/**
 * Compares each desired object with the cluster. An object the drift memory
 * vouches for costs nothing; otherwise a server-side dry-run apply shows what
 * applying would produce (defaults, webhooks and all), and that is compared
 * with the live object after normalization, so defaulted fields never count
 * as drift. A dry-run also validates every object before anything is
 * written, a new app's too: one the API server refuses stops the sync with
 * nothing applied, never half of an app created.
 */
export async function compareWithLive(opts: {
  ctx: SyncContext;
  app: Application;
  cluster: ClusterPort;
  desired: DesiredObject[];
}): Promise<ComparedObject[]> {
  const { ctx, app, cluster, desired } = opts;
  const creatingNamespaces = new Set(desired.filter((d) => d.key.kind === "Namespace" && d.key.group === "").map((d) => d.key.name));
  const createNamespace = app.spec.syncPolicy?.syncOptions?.includes("CreateNamespace=true") ?? false;
  // hashes of objects found in sync before (a restart or failover forgot the memory)
  const recorded = new Map((app.status?.resources ?? []).filter((r) => r.syncHash).map((r) => [keyString(r), r.syncHash] as const));
  // the watch cache answers for every object Plumb labelled; one it does not
  // hold is either absent or unlabelled, which a dry-run tells apart
  const cached = await mapLimit(desired, 8, (d) =>
    cluster.getLive({ ...refOf(d), trustCache: true }).catch((err: unknown) => {
      throw objectError(d, err); // e.g. Forbidden: name the object and its file
    }),
  );
  const compared = await mapLimit(desired, 8, async (d, i): Promise<ComparedObject> => {
    const id = driftId(app, d);
    let live = cached[i];
    if (conflictOf(app, d, live)) {
      // the watch cache reads as the operator: before telling whose object
      // this is, read it as the app's own identity (a tenant learns nothing
      // of namespaces it may not read, only that it is Forbidden)
      live = await cluster.getLive({ ...refOf(d), fresh: true }).catch((err: unknown) => {
        throw objectError(d, err);
      });
    }
    const conflict = conflictOf(app, d, live);
    if (conflict) return conflict;
    if (live && (ctx.drift.vouches(id, d.object, live) || ctx.drift.vouchesFor(id, d.object, live, recorded.get(keyString(d.key))))) {
      return { key: d.key, object: d.object, live, inSync: true };
    }
    const kind = await cluster.kindOf(d.object.apiVersion, d.object.kind);
    // its CRD arrives in this sync: validated once the CRD is Established, before anything after it is written
    if (!kind) return { key: d.key, object: d.object, live, inSync: false, unvalidated: true };
    let dry;
    try {
      dry = await cluster.apply(d.object, { dryRun: true });
    } catch (err) {
      const ns = d.key.namespace;
      if (!live && err instanceof KubeError && err.status === 404 && (creatingNamespaces.has(ns) || createNamespace)) {
        // its namespace is created in this sync: validate it in a stand-in namespace now, for real once it exists
        await validateElsewhere({ cluster, d, standIn: app.metadata.namespace ?? "default" });
        return { key: d.key, object: d.object, live, inSync: false, unvalidated: true };
      }
      throw objectError(d, err);
    }
    if (live ? live.metadata.resourceVersion !== dry.metadata.resourceVersion : dry.metadata.resourceVersion) {
      // the watch cache lagged, or the object exists without Plumb's label
      live = await cluster.getLive({ ...refOf(d), fresh: true });
      const late = conflictOf(app, d, live);
      if (late) return late;
    }
    if (!live) return { key: d.key, object: d.object, live, inSync: false }; // to be created
    const ignore = app.spec.ignoreDifferences ?? [];
    const { inSync } = compareObjects({ live, desired: dry, ignore });
    if (inSync) ctx.drift.remember(id, d.object, live);
    // applied for another change, an ignored field keeps its live value
    const apply = inSync ? d.object : keepIgnoredFields(d.object, live, ignore);
    return { key: d.key, object: d.object, ...(apply !== d.object ? { apply } : {}), live, inSync };
  });
  return compared.map((c, i) => ({ ...c, source: desired[i]!.source }));
}

/**
 * Validates an object whose namespace does not exist yet by a dry-run of it
 * in `standIn` (the app's own namespace), unless a namesake lives there
 * (the dry-run would judge the merge, not the object). Only the API
 * server's verdict on the object itself counts (Invalid, BadRequest): a
 * stand-in namespace may differ in rights, quotas and admission, so other
 * answers leave the object to the check made once its namespace exists.
 */
async function validateElsewhere(opts: { cluster: ClusterPort; d: DesiredObject; standIn: string }): Promise<void> {
  const { cluster, d, standIn } = opts;
  const moved = { ...d.object, metadata: { ...d.object.metadata, namespace: standIn } };
  try {
    if (await cluster.getLive({ ...refOf(d), namespace: standIn, fresh: true })) return;
    await cluster.apply(moved, { dryRun: true });
  } catch (err) {
    if (err instanceof KubeError && (err.status === 422 || err.status === 400)) throw objectError(d, err);
  }
}

/**
 * Dry-runs the objects that could not be validated before the first write
 * (their namespace or CRD is created by this sync), once those exist and
 * before any of them or anything after them is written.
 */
export async function validateDeferred(opts: { cluster: ClusterPort; tasks: { key: DesiredObject["key"]; object: KubeObject; source?: DesiredObject["source"] }[] }): Promise<void> {
  await mapLimit(opts.tasks, 8, async (t) => {
    try {
      await opts.cluster.apply(t.object, { dryRun: true });
    } catch (err) {
      throw objectError({ key: t.key, object: t.object, source: t.source ?? { file: "(unknown)", line: 0 } }, err);
    }
  });
}

/** A live object owned by another Application is a conflict, never compared. */
function conflictOf(app: Application, d: DesiredObject, live: KubeObject | undefined): ComparedObject | undefined {
  const owner = live?.metadata.annotations?.[TRACKING_ANNOTATION];
  return owner && owner !== appTrackingId(app, d.key) ? { key: d.key, object: d.object, live, inSync: false, conflictWith: owner } : undefined;
}

/** Identity of an object in the drift memory. */
export function driftId(app: Application, d: { key: DesiredObject["key"] }): string {
  return `${app.metadata.namespace}/${app.metadata.name}|${keyString(d.key)}`;
}

/** The reference of a desired object. */
export function refOf(d: DesiredObject): { apiVersion: string; kind: string; namespace?: string; name: string } {
  return { apiVersion: d.object.apiVersion, kind: d.object.kind, namespace: d.object.metadata.namespace, name: d.object.metadata.name };
}

/** Wraps an API error with the object and file it concerns. */
export function objectError(d: DesiredObject, err: unknown): PlumbError {
  const msg = err instanceof Error ? err.message : String(err);
  const where = `${d.source.file}:${d.source.line}`;
  return new ComparisonError(`${d.key.kind} ${d.key.namespace ? d.key.namespace + "/" : ""}${d.key.name} (${where}): ${msg}`, {
    code: err instanceof PlumbError ? err.code : "APIError",
    data: { key: keyString(d.key), file: d.source.file, line: d.source.line },
    cause: err,
    terminal: err instanceof PlumbError ? err.terminal : false,
  });
}

export type { ClusterPort };
