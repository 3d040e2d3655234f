import { HEALTH_ORDER, type Health, type HealthStatus } from "../model/health.js";

/** Rank of a status; higher is worse. */
export function healthRank(status: HealthStatus): number {
  return HEALTH_ORDER.indexOf(status);
}

/** The worse of two statuses. */
export function worseStatus(a: HealthStatus, b: HealthStatus): HealthStatus {
  return healthRank(a) >= healthRank(b) ? a : b;
}

/**
 * Folds many verdicts into the worst one (an app's health is its worst
 * resource's). Empty input is Healthy: an app with nothing to run is fine.
 */
export function worst(healths: Iterable<Health>): Health {
  let result: Health = { status: "Healthy", message: "" };
  for (const h of healths) {
    if (healthRank(h.status) > healthRank(result.status)) result = h;
  }
  return result;
}
