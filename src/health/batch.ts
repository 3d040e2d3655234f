/** Health of batch/v1 Job and CronJob. */
import type { Health, KubeObject } from "../model/index.js";
import { booleanAt, conditionsAt, describeCondition, findCondition, numberAt, stringAt } from "./fields.js";
import { verdict } from "./verdict.js";

/**
 * Job: the terminal conditions decide (Failed is Degraded, Complete is
 * Healthy); FailureTarget means the controller has already decided the Job
 * fails and is only cleaning up, so it is Degraded too. A suspended Job is
 * Suspended; anything else is still running.
 */
export function jobHealth(obj: KubeObject): Health {
  const conditions = conditionsAt(obj).filter((c) => c.status === "True");
  const failed = findCondition(conditions, "Failed") ?? findCondition(conditions, "FailureTarget");
  if (failed) return verdict("Degraded", `Job failed (${describeCondition(failed)})`);

  const succeeded = numberAt(obj, "status.succeeded") ?? 0;
  if (findCondition(conditions, "Complete")) {
    return verdict("Healthy", `Job completed: ${succeeded} ${succeeded === 1 ? "pod" : "pods"} succeeded`);
  }

  const suspended = findCondition(conditions, "Suspended");
  if (suspended || booleanAt(obj, "spec.suspend") === true) {
    return verdict("Suspended", suspended ? `Job is suspended (${describeCondition(suspended)})` : "Job is suspended (spec.suspend)");
  }

  const active = numberAt(obj, "status.active") ?? 0;
  const failedPods = numberAt(obj, "status.failed") ?? 0;
  const completions = numberAt(obj, "spec.completions");
  const progress = [
    `${active} active`,
    completions === undefined ? `${succeeded} succeeded` : `${succeeded} of ${completions} succeeded`,
    `${failedPods} failed`,
  ];
  return verdict("Progressing", `Job is running: ${progress.join(", ")}`);
}

/**
 * CronJob: suspended is Suspended; otherwise Healthy, since each run is its
 * own Job with its own health. The message says when it last ran.
 */
export function cronJobHealth(obj: KubeObject): Health {
  if (booleanAt(obj, "spec.suspend") === true) {
    return verdict("Suspended", "CronJob is suspended (spec.suspend); no new Jobs are scheduled");
  }
  const lastSchedule = stringAt(obj, "status.lastScheduleTime");
  const lastSuccess = stringAt(obj, "status.lastSuccessfulTime");
  const schedule = stringAt(obj, "spec.schedule") ?? "";
  if (lastSchedule === undefined) {
    return verdict("Healthy", `CronJob has not been scheduled yet (schedule "${schedule}")`);
  }
  const success = lastSuccess === undefined ? "" : `, last succeeded at ${lastSuccess}`;
  return verdict("Healthy", `CronJob last scheduled at ${lastSchedule}${success}`);
}
