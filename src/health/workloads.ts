/**
 * Health of the apps/v1 workload controllers. The replica-count checks follow
 * `kubectl rollout status` (and Argo CD, which borrowed them) so that Plumb,
 * kubectl and Argo agree on when a rollout is done.
 */
import type { Health, KubeObject } from "../model/index.js";
import { booleanAt, conditionsAt, describeCondition, findCondition, numberAt, stringAt } from "./fields.js";
import { pendingGeneration } from "./generation.js";
import { verdict } from "./verdict.js";

/** The API server defaults `spec.replicas` to 1; a hand-written object may omit it. */
function desiredReplicas(obj: KubeObject): number {
  return numberAt(obj, "spec.replicas") ?? 1;
}

/** Progressing while the controller has not acted on the latest spec yet. */
function awaitObserved(obj: KubeObject): Health | undefined {
  const pending = pendingGeneration(obj);
  if (pending === undefined) return undefined;
  return verdict(
    "Progressing",
    `Waiting for rollout to finish: observed generation ${pending.observed} of ${pending.generation}`,
  );
}

/**
 * Deployment: paused is Suspended; a rollout past its progressDeadlineSeconds
 * is Degraded; otherwise Progressing until every replica is updated and
 * available and no old replica is left.
 */
export function deploymentHealth(obj: KubeObject): Health {
  // Paused first: a paused Deployment never finishes, and that is the user's intent, not a failure.
  if (booleanAt(obj, "spec.paused") === true) {
    return verdict("Suspended", "Deployment is paused (spec.paused); the rollout resumes when it is unpaused");
  }
  const unobserved = awaitObserved(obj);
  if (unobserved) return unobserved;

  const conditions = conditionsAt(obj);
  const progressing = findCondition(conditions, "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    return verdict("Degraded", `Deployment exceeded its progress deadline (${describeCondition(progressing)})`);
  }

  const desired = desiredReplicas(obj);
  const replicas = numberAt(obj, "status.replicas") ?? 0;
  const updated = numberAt(obj, "status.updatedReplicas") ?? 0;
  const available = numberAt(obj, "status.availableReplicas") ?? 0;
  // ReplicaFailure (quota, admission) does not fail the rollout by itself, but it is why it is stuck.
  const failure = findCondition(conditions, "ReplicaFailure");
  const because = failure?.status === "True" ? ` (${describeCondition(failure)})` : "";

  if (updated < desired) {
    return verdict("Progressing", `Waiting for rollout to finish: ${updated} out of ${desired} new replicas have been updated${because}`);
  }
  if (replicas > updated) {
    return verdict("Progressing", `Waiting for rollout to finish: ${replicas - updated} old replicas are pending termination${because}`);
  }
  if (available < updated) {
    return verdict("Progressing", `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available${because}`);
  }
  return verdict("Healthy", `${available} of ${desired} replicas updated and available`);
}

/**
 * StatefulSet: Progressing until every replica is ready and updated. A
 * partitioned rolling update is done once the pods above the partition are
 * updated; with OnDelete the controller never replaces pods itself, so ready
 * pods are enough.
 */
export function statefulSetHealth(obj: KubeObject): Health {
  const unobserved = awaitObserved(obj);
  if (unobserved) return unobserved;

  const desired = desiredReplicas(obj);
  const ready = numberAt(obj, "status.readyReplicas") ?? 0;
  const updated = numberAt(obj, "status.updatedReplicas") ?? 0;
  if (ready < desired) {
    return verdict("Progressing", `Waiting for rollout to finish: ${ready} of ${desired} pods are ready`);
  }

  const strategy = stringAt(obj, "spec.updateStrategy.type") ?? "RollingUpdate";
  if (strategy === "OnDelete") {
    return verdict(
      "Healthy",
      `${ready} of ${desired} pods are ready; ${updated} run the latest revision (OnDelete updates a pod only when it is deleted)`,
    );
  }
  // The API server always defaults the partition (to 0), so live objects take this path, as in kubectl.
  const partition = numberAt(obj, "spec.updateStrategy.rollingUpdate.partition");
  if (partition !== undefined) {
    const wanted = Math.max(desired - partition, 0);
    if (updated < wanted) {
      return verdict(
        "Progressing",
        `Waiting for rollout to finish: ${updated} out of ${wanted} new pods have been updated` +
          (partition > 0 ? ` (partition ${partition})` : ""),
      );
    }
    return verdict(
      "Healthy",
      partition > 0
        ? `Partitioned rollout complete: ${updated} new pods have been updated (partition ${partition})`
        : `${ready} of ${desired} pods updated and ready`,
    );
  }
  const updateRevision = stringAt(obj, "status.updateRevision");
  const currentRevision = stringAt(obj, "status.currentRevision");
  if (updateRevision !== currentRevision) {
    return verdict(
      "Progressing",
      `Waiting for rollout to finish: ${updated} pods are at revision ${updateRevision ?? "(none)"}`,
    );
  }
  return verdict("Healthy", `${ready} of ${desired} pods ready at revision ${currentRevision ?? "(none)"}`);
}

/**
 * DaemonSet: Progressing until a pod runs the latest template on every node
 * that should run one and all of them are available. With OnDelete the
 * controller never replaces pods itself, so available pods are enough.
 */
export function daemonSetHealth(obj: KubeObject): Health {
  const unobserved = awaitObserved(obj);
  if (unobserved) return unobserved;

  const desired = numberAt(obj, "status.desiredNumberScheduled") ?? 0;
  const updated = numberAt(obj, "status.updatedNumberScheduled") ?? 0;
  const available = numberAt(obj, "status.numberAvailable") ?? 0;
  const onDelete = stringAt(obj, "spec.updateStrategy.type") === "OnDelete";

  if (!onDelete && updated < desired) {
    return verdict("Progressing", `Waiting for rollout to finish: ${updated} out of ${desired} new pods have been updated`);
  }
  if (available < desired) {
    return verdict("Progressing", `Waiting for rollout to finish: ${available} of ${desired} pods are available`);
  }
  if (onDelete) {
    return verdict(
      "Healthy",
      `${available} of ${desired} pods are available; ${updated} run the latest template (OnDelete updates a pod only when it is deleted)`,
    );
  }
  return verdict("Healthy", `${available} of ${desired} pods updated and available`);
}

/**
 * ReplicaSet: a ReplicaFailure (pods cannot be created: quota, admission) is
 * Degraded, since nothing else will retry differently; otherwise Progressing
 * until every replica is available.
 */
export function replicaSetHealth(obj: KubeObject): Health {
  const unobserved = awaitObserved(obj);
  if (unobserved) return unobserved;

  const failure = findCondition(conditionsAt(obj), "ReplicaFailure");
  if (failure?.status === "True") {
    return verdict("Degraded", `ReplicaSet cannot create pods (${describeCondition(failure)})`);
  }
  const desired = desiredReplicas(obj);
  const available = numberAt(obj, "status.availableReplicas") ?? 0;
  if (available < desired) {
    return verdict("Progressing", `Waiting for rollout to finish: ${available} of ${desired} replicas are available`);
  }
  return verdict("Healthy", `${available} of ${desired} replicas available`);
}
