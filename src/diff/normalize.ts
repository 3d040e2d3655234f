import { splitApiVersion, type IgnoreDifference, type KubeObject } from "../model/index.js";

/** Annotation kubectl writes with the whole applied object, Secret data included. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Metadata the API server writes on every change; never part of what Git declares. */
const SERVER_METADATA = [
  "managedFields",
  "resourceVersion",
  "generation",
  "uid",
  "creationTimestamp",
  "selfLink",
  "deletionGracePeriodSeconds",
] as const;

/**
 * A deep copy of an object with what never counts as drift removed: `status`,
 * server-written metadata, kubectl's last-applied annotation, and the JSON
 * pointers of every matching `ignoreDifferences` entry. Maps emptied by a
 * removal are removed too, so `annotations: {}` never differs from none.
 */
export function normalize(obj: KubeObject, opts: { ignore?: readonly IgnoreDifference[] } = {}): KubeObject {
  const copy = structuredClone(obj);
  delete copy.status;
  for (const field of SERVER_METADATA) delete copy.metadata[field];
  removePointer(copy, `/metadata/annotations/${escapeToken(LAST_APPLIED_ANNOTATION)}`);
  for (const entry of opts.ignore ?? []) {
    if (!ignoreMatches(entry, obj)) continue;
    for (const pointer of entry.jsonPointers ?? []) removePointer(copy, pointer);
  }
  return copy;
}

/** Whether an ignoreDifferences entry applies to an object (group "" is the core API). */
export function ignoreMatches(entry: IgnoreDifference, obj: KubeObject): boolean {
  return (
    (entry.group ?? "") === splitApiVersion(obj.apiVersion).group &&
    entry.kind === obj.kind &&
    (!entry.name || entry.name === obj.metadata.name) &&
    (!entry.namespace || entry.namespace === obj.metadata.namespace)
  );
}

function escapeToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * Removes the value at an RFC 6901 pointer if it exists, then removes the
 * maps that became empty on the way up. The empty pointer means "the whole
 * object": everything but the identity is ignored.
 */
function removePointer(root: KubeObject, pointer: string): void {
  if (pointer === "") {
    const { name, namespace } = root.metadata;
    for (const field of Object.keys(root)) if (field !== "apiVersion" && field !== "kind") delete root[field];
    root.metadata = namespace === undefined ? { name } : { name, namespace };
    return;
  }
  if (!pointer.startsWith("/")) return;
  const tokens = pointer.slice(1).split("/").map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
  const chain: unknown[] = [root];
  for (const token of tokens.slice(0, -1)) {
    const next = childOf(chain.at(-1), token);
    if (next === undefined || next === null || typeof next !== "object") return;
    chain.push(next);
  }
  if (!removeChild(chain.at(-1), tokens.at(-1)!)) return;
  for (let i = chain.length - 1; i > 0; i--) {
    const node = chain[i];
    if (Array.isArray(node) || Object.keys(node as object).length > 0) break;
    removeChild(chain[i - 1], tokens[i - 1]!);
  }
}

function childOf(node: unknown, token: string): unknown {
  if (Array.isArray(node)) return /^(0|[1-9]\d*)$/.test(token) ? node[Number(token)] : undefined;
  if (node !== null && typeof node === "object" && Object.hasOwn(node, token)) return (node as Record<string, unknown>)[token];
  return undefined;
}

function removeChild(node: unknown, token: string): boolean {
  if (childOf(node, token) === undefined) return false;
  if (Array.isArray(node)) node.splice(Number(token), 1);
  else delete (node as Record<string, unknown>)[token];
  return true;
}
