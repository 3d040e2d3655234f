/**
 * Which rule judges which kind. Keyed by API group and kind, not kind alone,
 * so a custom resource that happens to be called "Deployment" or "Service" is
 * judged by its own conditions, not by the built-in rule.
 */
import { splitApiVersion, type KubeObject } from "../model/index.js";
import { apiServiceHealth } from "./apiregistration.js";
import { horizontalPodAutoscalerHealth } from "./autoscaling.js";
import { cronJobHealth, jobHealth } from "./batch.js";
import { customResourceDefinitionHealth } from "./crd.js";
import { kstatusHealth } from "./kstatus.js";
import { namespaceHealth } from "./namespace.js";
import { podHealth } from "./pod.js";
import { ingressHealth, serviceHealth } from "./service.js";
import { persistentVolumeClaimHealth } from "./storage.js";
import type { HealthRule } from "./verdict.js";
import { daemonSetHealth, deploymentHealth, replicaSetHealth, statefulSetHealth } from "./workloads.js";

/** `group/Kind` (core group empty, as in "/Pod") to its rule. */
const RULES: ReadonlyMap<string, HealthRule> = new Map([
  ["apps/Deployment", deploymentHealth],
  ["apps/StatefulSet", statefulSetHealth],
  ["apps/DaemonSet", daemonSetHealth],
  ["apps/ReplicaSet", replicaSetHealth],
  ["/Pod", podHealth],
  ["batch/Job", jobHealth],
  ["batch/CronJob", cronJobHealth],
  ["/Service", serviceHealth],
  ["networking.k8s.io/Ingress", ingressHealth],
  ["/PersistentVolumeClaim", persistentVolumeClaimHealth],
  ["autoscaling/HorizontalPodAutoscaler", horizontalPodAutoscalerHealth],
  ["apiregistration.k8s.io/APIService", apiServiceHealth],
  ["/Namespace", namespaceHealth],
  ["apiextensions.k8s.io/CustomResourceDefinition", customResourceDefinitionHealth],
]);

/** Kinds whose own rule says more about a pending deletion than the generic "Terminating". */
const EXPLAINS_OWN_DELETION: ReadonlySet<string> = new Set(["/Namespace"]);

function kindKey(obj: KubeObject): string {
  return `${splitApiVersion(obj.apiVersion).group}/${obj.kind}`;
}

/** The rule for an object's kind; kstatus conditions for any kind without its own rule. */
export function ruleFor(obj: KubeObject): HealthRule {
  return RULES.get(kindKey(obj)) ?? kstatusHealth;
}

/** Whether the kind's rule, rather than the generic terminating verdict, should judge a deleted object. */
export function explainsOwnDeletion(obj: KubeObject): boolean {
  return EXPLAINS_OWN_DELETION.has(kindKey(obj));
}
