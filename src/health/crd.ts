/** Health of a CustomResourceDefinition. */
import type { Health, KubeObject } from "../model/index.js";
import { conditionsAt, describeCondition, findCondition } from "./fields.js";
import { verdict } from "./verdict.js";

/**
 * CustomResourceDefinition: Healthy once its names are accepted and it is
 * Established (served, so custom resources of the next wave can be applied).
 * Rejected names never resolve by waiting, so NamesAccepted=False is Degraded.
 */
export function customResourceDefinitionHealth(obj: KubeObject): Health {
  const conditions = conditionsAt(obj);
  const names = findCondition(conditions, "NamesAccepted");
  const established = findCondition(conditions, "Established");
  if (names?.status === "False") return verdict("Degraded", `CRD names are not accepted (${describeCondition(names)})`);
  if (names?.status === "True" && established?.status === "True") {
    return verdict("Healthy", "CRD is established and its names are accepted");
  }
  const waiting = established && established.status !== "True" ? ` (${describeCondition(established)})` : "";
  return verdict("Progressing", `Waiting for the CRD to be established${waiting}`);
}
