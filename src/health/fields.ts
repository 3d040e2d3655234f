/**
 * Typed reads of live-object fields for the health rules. Live objects are
 * plain JSON from the API server, so every read is checked: an absent field is
 * `undefined` (the controller has not written it yet), while a field of the
 * wrong type throws MalformedField, which assessHealth turns into Unknown in one
 * place instead of each rule guessing.
 */
import { isMap } from "../model/object.js";

/** A field holds a value of the wrong type; the object cannot be judged. */
export class MalformedField extends Error {
  /** Dotted path of the offending field, e.g. "status.readyReplicas". */
  readonly path: string;

  constructor(path: string, expected: string) {
    super(`${path} is not ${expected}`);
    this.name = "MalformedField";
    this.path = path;
  }
}

/** A status condition as the health rules need it; every core and kstatus condition has this shape. */
export interface ObservedCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** The value at a dotted path; undefined when any part is absent, MalformedField when a parent is not an object. */
function valueAt(root: unknown, path: string): unknown {
  let current = root;
  const walked: string[] = [];
  for (const segment of path.split(".")) {
    if (current === undefined || current === null) return undefined;
    if (!isMap(current)) throw new MalformedField(walked.join(".") || "object", "an object");
    walked.push(segment);
    current = current[segment];
  }
  return current ?? undefined;
}

/** A number field (replica counts, generations), or undefined when absent. */
export function numberAt(root: unknown, path: string): number | undefined {
  const value = valueAt(root, path);
  if (value === undefined || (typeof value === "number" && Number.isFinite(value))) return value;
  throw new MalformedField(path, "a number");
}

/** A string field (phases, types), or undefined when absent. */
export function stringAt(root: unknown, path: string): string | undefined {
  const value = valueAt(root, path);
  if (value === undefined || typeof value === "string") return value;
  throw new MalformedField(path, "a string");
}

/** A boolean field (paused, suspend), or undefined when absent. */
export function booleanAt(root: unknown, path: string): boolean | undefined {
  const value = valueAt(root, path);
  if (value === undefined || typeof value === "boolean") return value;
  throw new MalformedField(path, "a boolean");
}

/** A list field (container statuses, ingress points); absent reads as empty. */
export function listAt(root: unknown, path: string): unknown[] {
  const value = valueAt(root, path);
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  throw new MalformedField(path, "a list");
}

/** An object field, or undefined when absent. */
export function recordAt(root: unknown, path: string): Record<string, unknown> | undefined {
  const value = valueAt(root, path);
  if (value === undefined || isMap(value)) return value;
  throw new MalformedField(path, "an object");
}

/** The conditions at `path` (default `status.conditions`), each checked for a type and status. */
export function conditionsAt(root: unknown, path = "status.conditions"): ObservedCondition[] {
  return parseConditions(listAt(root, path), path);
}

/** Checks raw condition entries (from status or, for HPA v1, from an annotation). */
export function parseConditions(raw: unknown[], path: string): ObservedCondition[] {
  return raw.map((entry, i) => {
    const at = `${path}[${i}]`;
    const type = stringAt(entry, "type");
    const status = stringAt(entry, "status");
    if (type === undefined || status === undefined) throw new MalformedField(at, "a condition with type and status");
    const condition: ObservedCondition = {
      type,
      status,
      reason: stringAt(entry, "reason") ?? "",
      message: stringAt(entry, "message") ?? "",
    };
    const observedGeneration = numberAt(entry, "observedGeneration");
    if (observedGeneration !== undefined) condition.observedGeneration = observedGeneration;
    return condition;
  });
}

/** The condition of a type, if reported. */
export function findCondition(conditions: ObservedCondition[], type: string): ObservedCondition | undefined {
  return conditions.find((c) => c.type === type);
}

/** "Reason: message", or whichever of the two is present, for messages that say why. */
export function describeCondition(condition: ObservedCondition): string {
  const parts = [condition.reason, condition.message].filter((part) => part !== "");
  return parts.length > 0 ? parts.join(": ") : `${condition.type}=${condition.status}`;
}
