import { SYNC_WAVE_ANNOTATION } from "../model/labels.js";
import type { KubeObject } from "../model/object.js";
import type { ResourceKey } from "../model/resource-key.js";

/**
 * Phases run in this order; each phase/wave pair is one health-gated step.
 * Namespaces and CRDs come first so later objects can land in them, webhook
 * configurations last so they cannot block the objects they would admit.
 */
export const PHASES = ["namespaces", "crds", "cluster-rbac", "main", "webhooks"] as const;
export type Phase = (typeof PHASES)[number];

const CLUSTER_RBAC = new Set(["ClusterRole", "ClusterRoleBinding"]);
const WEBHOOKS = new Set(["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]);

/** Within a wave, kinds that others depend on go first (the order Helm and Argo CD use). */
const KIND_ORDER = [
  "PriorityClass", "StorageClass", "ServiceAccount", "Secret", "ConfigMap", "LimitRange", "ResourceQuota",
  "PersistentVolume", "PersistentVolumeClaim", "Role", "RoleBinding", "Service", "Endpoints", "EndpointSlice",
  "DaemonSet", "Pod", "ReplicaSet", "Deployment", "StatefulSet", "HorizontalPodAutoscaler", "Job", "CronJob",
  "Ingress", "NetworkPolicy", "PodDisruptionBudget", "APIService",
];

/** The phase an object belongs to. */
export function phaseOf(key: ResourceKey): Phase {
  if (key.group === "" && key.kind === "Namespace") return "namespaces";
  if (key.group === "apiextensions.k8s.io" && key.kind === "CustomResourceDefinition") return "crds";
  if (key.group === "rbac.authorization.k8s.io" && CLUSTER_RBAC.has(key.kind)) return "cluster-rbac";
  if (key.group === "admissionregistration.k8s.io" && WEBHOOKS.has(key.kind)) return "webhooks";
  return "main";
}

/** `plumb.dev/sync-wave` as an integer; 0 when absent or not an integer. */
export function waveOf(obj: KubeObject): number {
  const raw = obj.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  if (raw === undefined || !/^-?\d+$/.test(raw.trim())) return 0;
  return Number.parseInt(raw, 10);
}

/** Sort key of an object: phase, wave (main phase only), kind order, kind, namespace, name. */
export function orderKey(key: ResourceKey, obj: KubeObject): [number, number, number, string, string, string] {
  const phase = phaseOf(key);
  const ki = KIND_ORDER.indexOf(key.kind);
  return [PHASES.indexOf(phase), phase === "main" ? waveOf(obj) : 0, ki < 0 ? KIND_ORDER.length : ki, key.kind, key.namespace, key.name];
}

/** Compares two sort keys. */
export function compareOrder(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return typeof x === "number" && typeof y === "number" ? x - y : String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** The step (phase + wave) an object is applied in, as a label like "main/wave 2". */
export function stepOf(key: ResourceKey, obj: KubeObject): string {
  const phase = phaseOf(key);
  return phase === "main" ? `wave ${waveOf(obj)}` : phase;
}
