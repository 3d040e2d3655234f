/** Health of a HorizontalPodAutoscaler (autoscaling/v2, and v1 through its conditions annotation). */
import type { Health, KubeObject } from "../model/index.js";
import {
  MalformedField,
  conditionsAt,
  describeCondition,
  findCondition,
  numberAt,
  parseConditions,
  recordAt,
  type ObservedCondition,
} from "./fields.js";
import { verdict } from "./verdict.js";

/** autoscaling/v1 has no status.conditions; the API server serialises the v2 ones into this annotation. */
const V1_CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions";

/**
 * Reasons the HPA controller gives when it cannot do its job: FailedGetScale,
 * FailedUpdateScale, FailedGet*Metric, FailedCompute*, InvalidSelector,
 * InvalidMetricSourceType, AmbiguousSelector. Backoff and stabilisation
 * reasons are normal operation and do not match.
 */
const FAILURE_REASON = /^(Failed|Invalid|Ambiguous)/;

function hpaConditions(obj: KubeObject): ObservedCondition[] {
  const conditions = conditionsAt(obj);
  if (conditions.length > 0) return conditions;
  const raw = recordAt(obj, "metadata.annotations")?.[V1_CONDITIONS_ANNOTATION];
  if (raw === undefined) return [];
  const path = `metadata.annotations["${V1_CONDITIONS_ANNOTATION}"]`;
  let parsed: unknown;
  try {
    parsed = typeof raw === "string" ? JSON.parse(raw) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) throw new MalformedField(path, "a JSON list of conditions");
  return parseConditions(parsed, path);
}

/**
 * HorizontalPodAutoscaler: Degraded when it cannot read its target's scale or
 * its metrics (AbleToScale or ScalingActive False with a failure reason);
 * Suspended when scaling is disabled because the target is scaled to zero;
 * Healthy when it is scaling, including when it is pinned at its min or max
 * (ScalingLimited is a fact, not a fault); Progressing before it reports.
 */
export function horizontalPodAutoscalerHealth(obj: KubeObject): Health {
  const conditions = hpaConditions(obj);
  if (conditions.length === 0) {
    return verdict("Progressing", "Waiting for the autoscaler to report its first conditions");
  }
  const failing = conditions.find(
    (c) => (c.type === "AbleToScale" || c.type === "ScalingActive") && c.status === "False" && FAILURE_REASON.test(c.reason),
  );
  if (failing) return verdict("Degraded", `Autoscaler cannot scale: ${failing.type}=False (${describeCondition(failing)})`);

  const active = findCondition(conditions, "ScalingActive");
  if (active?.status === "False" && active.reason === "ScalingDisabled") {
    return verdict("Suspended", `Autoscaling is disabled (${describeCondition(active)})`);
  }
  const able = findCondition(conditions, "AbleToScale");
  if (active?.status === "True" || able?.status === "True") {
    const current = numberAt(obj, "status.currentReplicas") ?? 0;
    const desired = numberAt(obj, "status.desiredReplicas") ?? current;
    const limited = findCondition(conditions, "ScalingLimited");
    const note = limited?.status === "True" ? `; limited (${describeCondition(limited)})` : "";
    return verdict("Healthy", `Autoscaler is active: ${current} current, ${desired} desired replicas${note}`);
  }
  return verdict("Progressing", `Waiting for the autoscaler: ${conditions.map(describeCondition).join("; ")}`);
}
