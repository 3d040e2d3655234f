import type { KubeObject } from "../model/index.js";
import { numberAt } from "./fields.js";

/** A spec generation the controller has not caught up with yet. */
export interface PendingGeneration {
  /** `metadata.generation`: the latest spec. */
  generation: number;
  /** The generation the controller last acted on (0 when it has reported none). */
  observed: number;
}

/**
 * The generation gap while a controller has not yet observed the latest spec.
 * Until it has, every other status field describes an older spec and cannot be
 * trusted, so rules check this first. Undefined once observed, or when the
 * object carries no generation to compare (it was not read from a server).
 */
export function pendingGeneration(obj: KubeObject, observedPath = "status.observedGeneration"): PendingGeneration | undefined {
  const generation = numberAt(obj, "metadata.generation");
  if (generation === undefined) return undefined;
  const observed = numberAt(obj, observedPath);
  if (observed !== undefined && observed >= generation) return undefined;
  return { generation, observed: observed ?? 0 };
}
