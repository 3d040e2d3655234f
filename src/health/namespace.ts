/** Health of a Namespace. */
import type { Health, KubeObject } from "../model/index.js";
import { conditionsAt, describeCondition, stringAt } from "./fields.js";
import { verdict } from "./verdict.js";

/**
 * Namespace: Terminating is Progressing and says what the deletion still
 * waits for (remaining content, finalizers, failed discovery), since a
 * namespace stuck terminating is a classic puzzle; anything else is Healthy.
 * assessHealth lets this rule, not the generic one, explain a deleted
 * Namespace.
 */
export function namespaceHealth(obj: KubeObject): Health {
  const phase = stringAt(obj, "status.phase");
  if (phase !== "Terminating" && stringAt(obj, "metadata.deletionTimestamp") === undefined) {
    return verdict("Healthy", `Namespace is ${phase ?? "Active"}`);
  }
  // The namespace controller reports each blocker as a True condition (NamespaceContentRemaining, ...).
  const blockers = conditionsAt(obj)
    .filter((c) => c.status === "True")
    .map((c) => c.message || describeCondition(c));
  const why = blockers.length > 0 ? blockers.join("; ") : "waiting for its content to be deleted";
  return verdict("Progressing", `Namespace is terminating: ${why}`);
}
