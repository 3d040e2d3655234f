import { assessHealth, worst } from "../health/index.js";
import type { Application, ResourceStatus } from "../model/application.js";
import type { Health } from "../model/health.js";
import { splitApiVersion, type KubeObject } from "../model/object.js";
import { KubeError } from "../errors.js";
import { keyString } from "../model/resource-key.js";
import { mapLimit } from "./concurrency.js";
import type { DesiredObject } from "./desired.js";
import type { ComparedObject, OrphanObject, SyncPlan } from "./plan.js";
import type { ClusterPort } from "./ports.js";

/** Inventory entries (status.resources) that the render no longer has, with their live objects. */
export async function findOrphans(opts: { app: Application; cluster: ClusterPort; desired: DesiredObject[] }): Promise<OrphanObject[]> {
  const wanted = new Set(opts.desired.map((d) => keyString(d.key)));
  const inventory = (opts.app.status?.resources ?? []).filter((r) => !wanted.has(keyString(r)));
  return mapLimit(inventory, 8, async (r) => {
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    const key = { group: r.group, kind: r.kind, namespace: r.namespace, name: r.name };
    const kind = await opts.cluster.kindOf(apiVersion, r.kind);
    const ref = { apiVersion, kind: r.kind, namespace: r.namespace || undefined, name: r.name };
    const live = kind ? await opts.cluster.getLive(ref).catch((err: unknown) => unreadable(err, () => opts.cluster.getLive({ ...ref, trustCache: true }))) : undefined;
    return { key, apiVersion, live };
  });
}

/**
 * An orphan the app's identity may not read (an entry recorded before a sync
 * whose apply RBAC then refused) is answered by the operator's own watch of
 * labelled objects: absent there, it is not Plumb's, and is forgotten.
 */
function unreadable(err: unknown, fromWatch: () => Promise<KubeObject | undefined>): Promise<KubeObject | undefined> {
  if (err instanceof KubeError && err.status === 403) return fromWatch();
  throw err;
}

/**
 * The inventory to record before a sync's first write: the current one plus
 * every desired object it lacks. An object applied by a sync that dies (a
 * crash) or fails (a health gate) before recording its outcome is then still
 * known, and pruned once Git drops it; an entry whose object was never
 * created is forgotten by a later plan ("already gone").
 */
export function intendedInventory(current: ResourceStatus[], compared: ComparedObject[]): ResourceStatus[] {
  const known = new Set(current.map((r) => keyString(r)));
  const added = compared
    .filter((c) => !known.has(keyString(c.key)))
    .map((c): ResourceStatus => ({ group: c.key.group, version: splitApiVersion(c.object.apiVersion).version, kind: c.key.kind, namespace: c.key.namespace, name: c.key.name, status: "OutOfSync" }));
  return [...current, ...added];
}

/**
 * The per-resource status and the app's health after a reconcile. The new
 * inventory is every desired object plus orphans that were kept (prune off
 * or withheld), so they can still be pruned later.
 */
export async function observeResources(opts: {
  cluster: ClusterPort;
  compared: ComparedObject[];
  plan: SyncPlan;
  applied: boolean;
  /** The drift memory's hash of an object found in sync (recorded so a restart need not dry-run it again). */
  syncHashOf?: (key: ComparedObject["key"]) => string | undefined;
}): Promise<{ resources: ResourceStatus[]; health: Health }> {
  const { cluster, compared, plan } = opts;
  const conflicts = new Set(plan.steps.flatMap((s) => s.tasks).filter((t) => t.action === "conflict").map((t) => keyString(t.key)));
  const desired = await mapLimit(compared, 16, async (c) => {
    const live = await cluster.getLive({ apiVersion: c.object.apiVersion, kind: c.object.kind, namespace: c.object.metadata.namespace, name: c.object.metadata.name, trustCache: true });
    const health = assessHealth(live);
    const conflict = conflicts.has(keyString(c.key));
    const synced = !conflict && (c.inSync || (opts.applied && !!live));
    const { version } = splitApiVersion(c.object.apiVersion);
    // never for a Secret: a hash of its values, readable by anyone who may read the app, invites guessing them
    const syncHash = synced && !isSecret(c.key) ? opts.syncHashOf?.(c.key) : undefined;
    const entry: ResourceStatus = {
      group: c.key.group, version, kind: c.key.kind, namespace: c.key.namespace, name: c.key.name,
      status: synced ? "Synced" : "OutOfSync",
      health: { status: health.status, ...(health.message ? { message: health.message } : {}) },
      ...(conflict ? { message: `owned by another Application` } : {}),
      ...(syncHash ? { syncHash } : {}),
    };
    return { entry, health };
  });
  const kept: ResourceStatus[] = plan.prunes
    .filter((p) => p.action === "extraneous")
    .map((p) => ({
      group: p.key.group, version: splitApiVersion(p.apiVersion).version, kind: p.key.kind, namespace: p.key.namespace, name: p.key.name,
      status: "OutOfSync", message: `extraneous: ${p.reason}`,
    }));
  return {
    resources: [...desired.map((d) => d.entry), ...kept],
    health: worst(desired.map((d) => (d.health.message ? { ...d.health, message: `${d.entry.kind}/${d.entry.name}: ${d.health.message}` } : d.health))),
  };
}

function isSecret(key: ComparedObject["key"]): boolean {
  return key.group === "" && key.kind === "Secret";
}
