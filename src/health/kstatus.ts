/**
 * Health of any other object, by the kstatus conventions Flux, cert-manager,
 * Crossplane and Plumb's own Application follow: Ready, Stalled and
 * Reconciling conditions plus observedGeneration. An object that uses none of
 * them is Healthy once it exists (ConfigMaps, RBAC, ...).
 */
import type { Health, KubeObject } from "../model/index.js";
import { conditionsAt, describeCondition, findCondition, numberAt, type ObservedCondition } from "./fields.js";
import { pendingGeneration } from "./generation.js";
import { verdict } from "./verdict.js";

/** Progressing when a condition was written for an older spec than the current one. */
function stale(obj: KubeObject, condition: ObservedCondition): Health | undefined {
  const generation = numberAt(obj, "metadata.generation");
  const observed = condition.observedGeneration;
  if (generation === undefined || observed === undefined || observed >= generation) return undefined;
  return verdict(
    "Progressing",
    `Waiting for the controller to observe generation ${generation} (${condition.type} is from generation ${observed})`,
  );
}

/**
 * kstatus: a spec the controller has not observed yet is Progressing (every
 * condition is about an older spec); then Stalled=True is Degraded (the
 * controller gave up until something changes), Reconciling=True is
 * Progressing, Ready=False or Unknown is Progressing, and Ready=True is
 * Healthy. Without these conditions the object is Healthy once it exists.
 */
export function kstatusHealth(obj: KubeObject): Health {
  // Only judge status.observedGeneration when the controller writes it at all; many never do.
  if (numberAt(obj, "status.observedGeneration") !== undefined) {
    const pending = pendingGeneration(obj);
    if (pending) {
      return verdict(
        "Progressing",
        `Waiting for the controller to observe generation ${pending.generation} (observed ${pending.observed})`,
      );
    }
  }
  const conditions = conditionsAt(obj);
  const stalled = findCondition(conditions, "Stalled");
  if (stalled?.status === "True") return stale(obj, stalled) ?? verdict("Degraded", `Stalled: ${describeCondition(stalled)}`);

  const reconciling = findCondition(conditions, "Reconciling");
  if (reconciling?.status === "True") return verdict("Progressing", `Reconciling: ${describeCondition(reconciling)}`);

  const ready = findCondition(conditions, "Ready");
  if (ready === undefined) return verdict("Healthy", `${obj.kind} exists`);
  if (ready.status !== "True") return verdict("Progressing", `Not ready: ${describeCondition(ready)}`);
  return stale(obj, ready) ?? verdict("Healthy", `Ready: ${describeCondition(ready)}`);
}
