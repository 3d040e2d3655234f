import type { Operation } from "fast-json-patch";
import { splitApiVersion, type KubeObject } from "../model/index.js";
import { LAST_APPLIED_ANNOTATION } from "./normalize.js";

/** Stands for a Secret value that is the same on both sides (or only on one). */
export const REDACTED = "+++redacted+++";
/** Stands for the live side of a Secret value that differs between live and desired. */
export const REDACTED_LIVE = "+++redacted-old+++";
/** Stands for the desired side of a Secret value that differs between live and desired. */
export const REDACTED_DESIRED = "+++redacted-new+++";

const SECRET_MAPS = ["data", "stringData"] as const;
const LAST_APPLIED_PATH = `/metadata/annotations/${LAST_APPLIED_ANNOTATION.replaceAll("/", "~1")}`;

/** Whether an object is a core Secret, whose values must never leave Plumb. */
export function isSecret<T extends Pick<KubeObject, "apiVersion" | "kind">>(obj: T | undefined): obj is T {
  return obj?.kind === "Secret" && splitApiVersion(obj.apiVersion).group === "";
}

/**
 * A copy of a Secret with every `data`/`stringData` value replaced by a
 * marker and the last-applied annotation (which embeds the values) removed.
 * Other objects are returned as they are.
 */
export function redactSecret<T extends KubeObject | undefined>(obj: T): T {
  return redactSecretPair({ live: obj, desired: undefined }).live;
}

/**
 * Redacts a live/desired pair together so a diff still shows which keys
 * changed, and nothing else: a key whose value is equal on both sides gets
 * REDACTED on both; a changed one gets REDACTED_LIVE and REDACTED_DESIRED.
 */
export function redactSecretPair<L extends KubeObject | undefined, D extends KubeObject | undefined>(pair: {
  live: L;
  desired: D;
}): { live: L; desired: D } {
  const { live, desired } = pair;
  if (!isSecret(live) && !isSecret(desired)) return { live, desired };
  const markers = (mine: KubeObject, other: KubeObject | undefined, changed: string) => (map: string, key: string) =>
    isSecret(other) && key in valuesOf(other, map) && valuesOf(other, map)[key] !== valuesOf(mine, map)[key] ? changed : REDACTED;
  return {
    live: (isSecret(live) ? withValues(live, markers(live, desired, REDACTED_LIVE)) : live) as L,
    desired: (isSecret(desired) ? withValues(desired, markers(desired, live, REDACTED_DESIRED)) : desired) as D,
  };
}

function valuesOf(obj: KubeObject, map: string): Record<string, unknown> {
  const values = obj[map];
  return values !== null && typeof values === "object" ? (values as Record<string, unknown>) : {};
}

function withValues(obj: KubeObject, marker: (map: string, key: string) => string): KubeObject {
  const copy: KubeObject = { ...obj, metadata: withoutLastApplied(obj.metadata) };
  for (const map of SECRET_MAPS) {
    if (obj[map] === undefined || obj[map] === null) continue;
    copy[map] = Object.fromEntries(Object.keys(valuesOf(obj, map)).map((key) => [key, marker(map, key)]));
  }
  return copy;
}

function withoutLastApplied(metadata: KubeObject["metadata"]): KubeObject["metadata"] {
  if (metadata?.annotations?.[LAST_APPLIED_ANNOTATION] === undefined) return metadata;
  const { [LAST_APPLIED_ANNOTATION]: _dropped, ...annotations } = metadata.annotations;
  return { ...metadata, annotations };
}

/**
 * Redacts a JSON patch computed against a Secret elsewhere: values under
 * `data`/`stringData`, whole-object and whole-map values, and anything
 * touching the last-applied annotation. Patches for other kinds pass through.
 */
export function redactPatch(patch: readonly Operation[], target: Pick<KubeObject, "apiVersion" | "kind">): Operation[] {
  if (!isSecret(target)) return [...patch];
  return patch.filter((op) => !op.path.startsWith(LAST_APPLIED_PATH)).map((op) => redactOperation(op, target));
}

function redactOperation(op: Operation, target: Pick<KubeObject, "apiVersion" | "kind">): Operation {
  if (!("value" in op)) return op;
  const [, top = "", key] = op.path.split("/");
  if (op.path === "") return { ...op, value: redactSecret({ ...target, ...(op.value as KubeObject) }) };
  if (top === "metadata" && (key === undefined || key === "annotations")) {
    const metadata = key === undefined ? op.value : { annotations: op.value };
    const cleaned = withoutLastApplied(metadata as KubeObject["metadata"]);
    return { ...op, value: key === undefined ? cleaned : cleaned.annotations };
  }
  if (!(SECRET_MAPS as readonly string[]).includes(top)) return op;
  if (key !== undefined) return { ...op, value: REDACTED };
  const values = op.value !== null && typeof op.value === "object" ? Object.keys(op.value) : [];
  return { ...op, value: Object.fromEntries(values.map((k) => [k, REDACTED])) };
}
