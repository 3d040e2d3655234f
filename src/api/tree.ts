import { assessHealth } from "../health/index.js";
import type { Application } from "../model/application.js";
import type { KubeObject } from "../model/object.js";
import { splitApiVersion } from "../model/object.js";

/** One node of an app's resource tree: an inventory object, or an object the cluster made for one. */
export interface TreeNode {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  health: { status: string; message: string };
  /** Sync status; only inventory objects (the ones Git describes) have one. */
  sync?: string;
  children: TreeNode[];
}

/**
 * The resource tree of `GET .../tree` (pure): the app's inventory with its
 * recorded sync and health, each with the objects it owns (found by
 * ownerReferences uid) nested below, their health judged by the same rules.
 */
export function resourceTreeOf(app: Application, live: { parents: KubeObject[]; owned: KubeObject[] }): TreeNode[] {
  const byOwnerUid = new Map<string, KubeObject[]>();
  for (const o of live.owned) {
    for (const ref of (o.metadata.ownerReferences ?? []) as { uid?: string }[]) {
      if (!ref.uid) continue;
      const list = byOwnerUid.get(ref.uid) ?? [];
      list.push(o);
      byOwnerUid.set(ref.uid, list);
    }
  }
  const nodeOf = (o: KubeObject, seen: Set<string>): TreeNode => {
    const uid = o.metadata.uid ?? "";
    const kids = seen.has(uid) ? [] : (byOwnerUid.get(uid) ?? []);
    const next = new Set(seen).add(uid);
    const health = assessHealth(o);
    return {
      ...splitApiVersion(o.apiVersion),
      kind: o.kind,
      namespace: o.metadata.namespace ?? "",
      name: o.metadata.name,
      health: { status: health.status, message: health.message ?? "" },
      children: kids.sort(byName).map((k) => nodeOf(k, next)),
    };
  };
  const parentOf = (r: { kind: string; namespace: string; name: string }) => live.parents.find((p) => p.kind === r.kind && (p.metadata.namespace ?? "") === r.namespace && p.metadata.name === r.name);
  return (app.status?.resources ?? []).map((r) => {
    const parent = parentOf(r);
    return {
      group: r.group,
      version: r.version,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      health: { status: r.health?.status ?? "Unknown", message: r.health?.message ?? r.message ?? "" },
      sync: r.status,
      children: parent ? nodeOf(parent, new Set()).children : [],
    };
  });
}

function byName(a: KubeObject, b: KubeObject): number {
  return `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);
}
