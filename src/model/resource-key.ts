import { splitApiVersion, type KubeObject } from "./object.js";

/**
 * The one identity of a resource everywhere in Plumb: render output, live
 * objects, diffs, inventory, status and API all join on it. Version is not
 * part of identity; namespace is "" for cluster-scoped objects.
 */
export interface ResourceKey {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** The key of an object, taking namespace as written (may be empty). */
export function keyOf(obj: KubeObject): ResourceKey {
  return {
    group: splitApiVersion(obj.apiVersion).group,
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name,
  };
}

/** `group/kind/namespace/name`, a stable string for maps and logs. */
export function keyString(key: ResourceKey): string {
  return `${key.group}/${key.kind}/${key.namespace}/${key.name}`;
}

/** Inverse of keyString. */
export function parseKeyString(s: string): ResourceKey {
  const [group = "", kind = "", namespace = "", ...rest] = s.split("/");
  return { group, kind, namespace, name: rest.join("/") };
}

/** Whether two keys name the same resource. */
export function sameKey(a: ResourceKey, b: ResourceKey): boolean {
  return a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/**
 * The tracking id Plumb writes on every object it applies:
 * `<app-namespace>/<app-name>:<group>/<kind>:<namespace>/<name>`.
 */
export function trackingId(app: { namespace: string; name: string }, key: ResourceKey): string {
  return `${app.namespace}/${app.name}:${key.group}/${key.kind}:${key.namespace}/${key.name}`;
}

/** The app (`namespace/name`) a tracking id names, or undefined when malformed. */
export function trackingIdOwner(id: string): { namespace: string; name: string } | undefined {
  const m = /^([^/:]+)\/([^/:]+):/.exec(id);
  return m ? { namespace: m[1]!, name: m[2]! } : undefined;
}
