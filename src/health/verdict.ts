import type { Health, HealthStatus, KubeObject } from "../model/index.js";

/** Builds a verdict; rules read as `verdict("Progressing", why)`. */
export function verdict(status: HealthStatus, message: string): Health {
  return { status, message };
}

/** What every per-kind rule is: one live object in, one verdict out, no I/O. */
export type HealthRule = (obj: KubeObject) => Health;
