/**
 * Pure health assessment: one live object in, one verdict out. Nothing here
 * does I/O or imports beyond model/, so sync/, the API and `plumb health`
 * judge objects the same way.
 */
import type { Health, KubeObject } from "../model/index.js";
import { explainsOwnDeletion, ruleFor } from "./dispatch.js";
import { listAt, MalformedField, stringAt } from "./fields.js";
import { verdict } from "./verdict.js";

/** Ordering helpers: an app's health is the worst of its resources', a fold with worst(). */
export { healthRank, worseStatus, worst } from "./worst.js";

/**
 * Judges one live object. Missing when there is none; Progressing while it
 * is being deleted; otherwise its kind's rule (see dispatch), or kstatus
 * conditions, or Healthy for kinds that have no status to wait on. Unknown
 * only when the object's own fields are malformed, never as a shrug.
 */
export function assessHealth(obj: KubeObject | null | undefined): Health {
  if (obj === null || obj === undefined) return verdict("Missing", "Object does not exist in the cluster");
  try {
    for (const field of ["apiVersion", "kind"]) {
      if (stringAt(obj, field) === undefined) throw new MalformedField(field, "set");
    }
    const deletion = stringAt(obj, "metadata.deletionTimestamp");
    if (deletion !== undefined && !explainsOwnDeletion(obj)) return terminating(obj, deletion);
    return ruleFor(obj)(obj);
  } catch (err) {
    if (err instanceof MalformedField) return verdict("Unknown", `Cannot assess health: ${err.message}`);
    throw err;
  }
}

/** A deleted object is on its way out; finalizers are what usually keeps it, so name them. */
function terminating(obj: KubeObject, since: string): Health {
  const finalizers = listAt(obj, "metadata.finalizers").filter((f): f is string => typeof f === "string");
  const waiting = finalizers.length > 0 ? `; waiting for finalizers ${finalizers.join(", ")}` : "";
  return verdict("Progressing", `Terminating since ${since}${waiting}`);
}
