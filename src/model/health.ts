/**
 * Health statuses, ordered from best to worst; an app's health is its worst
 * resource's (see health/worst).
 */
export const HEALTH_ORDER = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"] as const;

/** One of the ordered health statuses. */
export type HealthStatus = (typeof HEALTH_ORDER)[number];

/** A health verdict with a human reason. */
export interface Health {
  status: HealthStatus;
  message: string;
}
