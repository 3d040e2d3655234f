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

/**
 * The manifest to apply to a live object with its ignored fields left as
 * they are live: each matching `ignoreDifferences` pointer takes the live
 * value (or is dropped when the live object has none). A field someone else
 * manages (an autoscaler's replicas) is then neither drift nor reset when
 * the object is applied for another change. A whole-object pointer ("")
 * leaves the manifest as it is: it still applies when Git changes.
 */
export function keepIgnoredFields(desired: KubeObject, live: KubeObject, ignore: readonly IgnoreDifference[]): KubeObject {
  const entries = ignore.filter((e) => ignoreMatches(e, live));
  if (!entries.length) return desired;
  const copy = structuredClone(desired);
  for (const pointer of entries.flatMap((e) => e.jsonPointers ?? [])) {
    if (!pointer.startsWith("/")) continue;
    const tokens = tokensOf(pointer);
    let liveValue: unknown = live;
    for (const token of tokens) liveValue = childOf(liveValue, token);
    if (liveValue === undefined) removePointer(copy, pointer);
    else setPointer(copy, tokens, structuredClone(liveValue));
  }
  return copy;
}

/** Sets the value at a pointer, creating the maps on the way; a missing list element is left alone. */
function setPointer(root: KubeObject, tokens: string[], value: unknown): void {
  let node: unknown = root;
  for (const token of tokens.slice(0, -1)) {
    let next = childOf(node, token);
    if (next === undefined && !Array.isArray(node)) (node as Record<string, unknown>)[token] = next = {};
    if (next === null || typeof next !== "object") return;
    node = next;
  }
  const last = tokens.at(-1)!;
  if (Array.isArray(node)) {
    if (childOf(node, last) !== undefined) node[Number(last)] = value;
  } else (node as Record<string, unknown>)[last] = value;
}

function tokensOf(pointer: string): string[] {
  return pointer.slice(1).split("/").map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
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
  const tokens = tokensOf(pointer);
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
