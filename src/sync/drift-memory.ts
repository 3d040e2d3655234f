import { createHash } from "node:crypto";
import type { KubeObject } from "../model/object.js";

interface Memory {
  /** Hash of the desired manifest found in sync. */
  desired: string;
  /** The live resourceVersion it was found in sync with (moves on with status updates). */
  resourceVersion: string | undefined;
  /** Fingerprint of the live object's declared state at that time. */
  live: string;
}

/**
 * Remembers, per object, which desired manifest was last found in sync with
 * which live object. While both are unchanged the object is in sync without
 * asking the API server, so a reconcile at rest makes no requests. A live
 * object whose resourceVersion moved only because its status (or
 * managedFields) changed — a rollout progressing, a controller reporting —
 * is still vouched for: its fingerprint leaves those out.
 */
export class DriftMemory {
  #seen = new Map<string, Memory>();

  /** Hash of a desired manifest (render output is deterministic). */
  static hash(desired: KubeObject): string {
    return digest(JSON.stringify(desired));
  }

  /**
   * Hash of what a live object declares: everything but `status`,
   * `resourceVersion`, `generation` and `managedFields`, which change
   * without the object's declared state changing.
   */
  static fingerprint(live: KubeObject): string {
    const { status: _status, metadata, ...rest } = live;
    const { resourceVersion: _rv, managedFields: _mf, generation: _gen, ...meta } = metadata;
    return digest(JSON.stringify({ ...rest, metadata: meta }));
  }

  /** Whether `desired` was already found in sync with this live object (or one differing only in status). */
  vouches(id: string, desired: KubeObject, live: KubeObject | undefined): boolean {
    const m = this.#seen.get(id);
    if (!m || !live || m.desired !== DriftMemory.hash(desired)) return false;
    if (m.resourceVersion !== undefined && m.resourceVersion === live.metadata.resourceVersion) return true;
    if (m.live !== DriftMemory.fingerprint(live)) return false;
    m.resourceVersion = live.metadata.resourceVersion; // next time the cheap check answers
    return true;
  }

  /** Records that `desired` matches `live` (the live object, or what an apply returned). */
  remember(id: string, desired: KubeObject, live: KubeObject | undefined): void {
    if (!live) return;
    this.#seen.set(id, { desired: DriftMemory.hash(desired), resourceVersion: live.metadata.resourceVersion, live: DriftMemory.fingerprint(live) });
  }

  /** Forgets an object (pruned, or its app deleted). */
  forget(id: string): void {
    this.#seen.delete(id);
  }
}

function digest(text: string): string {
  return createHash("sha1").update(text).digest("base64");
}
