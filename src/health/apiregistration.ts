/** Health of an aggregated APIService. */
import type { Health, KubeObject } from "../model/index.js";
import { conditionsAt, describeCondition, findCondition } from "./fields.js";
import { verdict } from "./verdict.js";

/**
 * APIService: Available=True is Healthy. Available=False is Degraded, since
 * while the backing service does not answer discovery fails for the whole
 * group (and kubectl and namespace deletion with it). No condition yet is
 * Progressing.
 */
export function apiServiceHealth(obj: KubeObject): Health {
  const available = findCondition(conditionsAt(obj), "Available");
  if (available === undefined) return verdict("Progressing", "Waiting for the aggregator to check the APIService");
  if (available.status === "True") return verdict("Healthy", `APIService is available (${describeCondition(available)})`);
  if (available.status === "False") return verdict("Degraded", `APIService is not available (${describeCondition(available)})`);
  return verdict("Progressing", `APIService availability is not known yet (${describeCondition(available)})`);
}
