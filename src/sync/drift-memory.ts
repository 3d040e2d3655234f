import { createHash } from "node:crypto";
import type { KubeObject } from "../model/object.js";

/**
 * Remembers, per object, which desired manifest was last found in sync with
 * which live resourceVersion. While both are unchanged the object is in sync
 * without asking the API server, so a reconcile at rest makes no requests.
 */
export class DriftMemory {
  #seen = new Map<string, { hash: string; resourceVersion: string }>();

  /** Hash of a desired manifest (render output is deterministic). */
  static hash(desired: KubeObject): string {
    return createHash("sha1").update(JSON.stringify(desired)).digest("hex");
  }

  /** Whether `desired` was already found in sync with this live version. */
  vouches(id: string, desired: KubeObject, live: KubeObject | undefined): boolean {
    const m = this.#seen.get(id);
    return !!m && !!live && m.resourceVersion === live.metadata.resourceVersion && m.hash === DriftMemory.hash(desired);
  }

  /** Records that `desired` matches the live object at `resourceVersion`. */
  remember(id: string, desired: KubeObject, resourceVersion: string | undefined): void {
    if (resourceVersion) this.#seen.set(id, { hash: DriftMemory.hash(desired), resourceVersion });
  }

  /** Forgets an object (pruned, or its app deleted). */
  forget(id: string): void {
    this.#seen.delete(id);
  }
}
