/**
 * Health of a Pod. A container stuck waiting for a reason that will not clear
 * by itself (crash loop, image pull, bad config) makes the pod Degraded even
 * while its phase still says Pending or Running, because that is what a user
 * needs to hear about first.
 */
import type { Health, KubeObject } from "../model/index.js";
import { conditionsAt, describeCondition, findCondition, listAt, numberAt, stringAt } from "./fields.js";
import { verdict } from "./verdict.js";

interface ContainerState {
  name: string;
  init: boolean;
  restarts: number;
  waitingReason: string | undefined;
  waitingMessage: string;
  terminated: Termination | undefined;
  lastTerminated: Termination | undefined;
}

interface Termination {
  reason: string;
  exitCode: number;
  message: string;
}

function termination(raw: unknown, path: string): Termination | undefined {
  const exitCode = numberAt(raw, `${path}.exitCode`);
  if (exitCode === undefined) return undefined;
  return { exitCode, reason: stringAt(raw, `${path}.reason`) ?? "", message: stringAt(raw, `${path}.message`) ?? "" };
}

/** Init containers first: they run first, so their failure is the root cause. */
function containerStates(obj: KubeObject): ContainerState[] {
  const read = (path: string, init: boolean): ContainerState[] =>
    listAt(obj, path).map((raw) => ({
      name: stringAt(raw, "name") ?? "?",
      init,
      restarts: numberAt(raw, "restartCount") ?? 0,
      waitingReason: stringAt(raw, "state.waiting.reason"),
      waitingMessage: stringAt(raw, "state.waiting.message") ?? "",
      terminated: termination(raw, "state.terminated"),
      lastTerminated: termination(raw, "lastState.terminated"),
    }));
  return [...read("status.initContainerStatuses", true), ...read("status.containerStatuses", false)];
}

/**
 * Waiting reasons that do not clear without a change: CrashLoopBackOff,
 * ImagePullBackOff, ErrImagePull, CreateContainerConfigError,
 * RunContainerError, InvalidImageName... The kubelet's naming is regular
 * enough (Err*, *Error, *BackOff) to match by shape, as Argo CD does, so new
 * reasons are caught too; ContainerCreating and PodInitializing do not match.
 */
function isStuckWaiting(reason: string): boolean {
  return reason.startsWith("Err") || reason.endsWith("Error") || reason.endsWith("BackOff") || reason === "InvalidImageName";
}

function label(c: ContainerState): string {
  return `${c.init ? "init container" : "container"} "${c.name}"`;
}

function restarts(c: ContainerState): string {
  return `restarted ${c.restarts} ${c.restarts === 1 ? "time" : "times"}`;
}

function describeTermination(c: ContainerState, t: Termination): string {
  const how = [t.reason, `exit code ${t.exitCode}`].filter((part) => part !== "").join(", ");
  return `${label(c)} terminated (${how})${t.message ? `: ${t.message}` : ""}`;
}

/**
 * Pod: stuck containers are Degraded; phase Failed is Degraded; Succeeded is
 * Healthy; Running is Healthy once Ready and Progressing before; Pending is
 * Progressing and says why (unschedulable, containers still creating).
 */
export function podHealth(obj: KubeObject): Health {
  const containers = containerStates(obj);
  const stuck = containers.filter((c) => c.waitingReason !== undefined && isStuckWaiting(c.waitingReason));
  if (stuck.length > 0) {
    const why = stuck.map(
      (c) => `${label(c)} is waiting: ${c.waitingReason}${c.waitingMessage ? `: ${c.waitingMessage}` : ""} (${restarts(c)})`,
    );
    return verdict("Degraded", why.join("; "));
  }

  const phase = stringAt(obj, "status.phase");
  const reason = stringAt(obj, "status.reason");
  const message = stringAt(obj, "status.message");
  const conditions = conditionsAt(obj);

  switch (phase) {
    case "Succeeded":
      return verdict("Healthy", "Pod completed successfully");
    case "Failed": {
      // The pod-level reason (Evicted, DeadlineExceeded) explains more than a container exit code.
      if (reason || message) return verdict("Degraded", `Pod failed: ${[reason, message].filter(Boolean).join(": ")}`);
      const failed = containers.find((c) => c.terminated && (c.terminated.exitCode !== 0 || c.terminated.reason === "OOMKilled"));
      return verdict("Degraded", failed?.terminated ? `Pod failed: ${describeTermination(failed, failed.terminated)}` : "Pod failed");
    }
    case "Running": {
      const ready = findCondition(conditions, "Ready");
      if (ready?.status === "True") return verdict("Healthy", "Pod is running and ready");
      // A container that has died before is the likeliest reason the pod is not ready.
      const restarted = containers.find((c) => c.lastTerminated !== undefined && c.restarts > 0);
      const why = [ready ? describeCondition(ready) : "no Ready condition yet"];
      if (restarted?.lastTerminated) why.push(`${restarts(restarted)}, last ${describeTermination(restarted, restarted.lastTerminated)}`);
      return verdict("Progressing", `Pod is running but not ready: ${why.join("; ")}`);
    }
    case "Pending":
      return verdict("Progressing", `Pod is pending: ${pendingReason(obj, containers)}`);
    case undefined:
      return verdict("Progressing", "Waiting for the pod to be scheduled (no status.phase yet)");
    case "Unknown":
      return verdict("Unknown", `Pod phase is Unknown: its node stopped reporting${message ? ` (${message})` : ""}`);
    default:
      return verdict("Unknown", `Pod has an unrecognized phase "${phase}"`);
  }
}

/** Why a Pending pod is not running yet: not scheduled, or which containers are still starting. */
function pendingReason(obj: KubeObject, containers: ContainerState[]): string {
  const scheduled = findCondition(conditionsAt(obj), "PodScheduled");
  if (scheduled?.status === "False") return describeCondition(scheduled);
  const waiting = containers.filter((c) => c.waitingReason !== undefined).map((c) => `${label(c)} ${c.waitingReason}`);
  if (waiting.length > 0) return waiting.join(", ");
  return stringAt(obj, "status.message") ?? (scheduled ? "waiting for containers to start" : "waiting to be scheduled");
}
