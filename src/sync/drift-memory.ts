import { createHash } from "node:crypto";
import { isMap, type KubeObject } from "../model/object.js";

interface Memory {
  /** Hash of the desired manifest found in sync. */
  desired: string;
  /** The live resourceVersion it was found in sync with (moves on with status updates). */
  resourceVersion: string | undefined;
  /** Fingerprint of the live object's declared fields at that time. */
  live: string;
}

/**
 * Remembers, per object, which desired manifest was last found in sync with
 * which live object. While both are unchanged the object is in sync without
 * asking the API server, so a reconcile at rest makes no requests. A live
 * object whose resourceVersion moved without any field the manifest declares
 * changing — its status, a controller's annotation, managedFields — is still
 * vouched for: a server-side apply of the same manifest would change nothing.
 */
export class DriftMemory {
  #seen = new Map<string, Memory>();

  /** Hash of a desired manifest (render output is deterministic). */
  static hash(desired: KubeObject): string {
    return digest(JSON.stringify(desired));
  }

  /**
   * Hash of the live values of the fields `desired` declares: maps are
   * followed key by key, anything else (a list, a scalar) counts whole.
   * Fields only others own (status, server metadata, controllers'
   * annotations) are left out, so their changes are not drift. A Secret's
   * `stringData` is write-only (the server merges it into `data`), so with
   * it declared the whole of `data` counts.
   */
  static fingerprint(live: KubeObject, desired: KubeObject): string {
    const shape = desired.stringData !== undefined ? { ...desired, data: true } : desired;
    return digest(JSON.stringify(declared(live, shape)) ?? "");
  }

  /**
   * The hash to record in status for an object found in sync: of the
   * manifest and the live values of the fields it declares (see syncHash).
   */
  static syncHash(desired: KubeObject, live: KubeObject): string {
    return digest(DriftMemory.hash(desired) + DriftMemory.fingerprint(live, desired));
  }

  /** The recordable hash of what is remembered for `id`, if anything. */
  syncHashOf(id: string): string | undefined {
    const m = this.#seen.get(id);
    return m && digest(m.desired + m.live);
  }

  /**
   * Vouches from a hash recorded earlier (status, after a restart or a
   * failover), never blindly: it must equal the hash recomputed from this
   * manifest and this live object, which a sync in between, a change in Git
   * or drift of a declared field all change. Remembers the object when it does.
   */
  vouchesFor(id: string, desired: KubeObject, live: KubeObject | undefined, recorded: string | undefined): boolean {
    if (!live || !recorded || DriftMemory.syncHash(desired, live) !== recorded) return false;
    this.remember(id, desired, live);
    return true;
  }

  /** Whether `desired` was already found in sync with this live object (or one differing only where the manifest is silent). */
  vouches(id: string, desired: KubeObject, live: KubeObject | undefined): boolean {
    const m = this.#seen.get(id);
    if (!m || !live || m.desired !== DriftMemory.hash(desired)) return false;
    if (m.resourceVersion !== undefined && m.resourceVersion === live.metadata.resourceVersion) return true;
    if (m.live !== DriftMemory.fingerprint(live, desired)) return false;
    m.resourceVersion = live.metadata.resourceVersion; // next time the cheap check answers
    return true;
  }

  /** Records that `desired` matches `live` (the live object, or what an apply returned). */
  remember(id: string, desired: KubeObject, live: KubeObject | undefined): void {
    if (!live) return;
    this.#seen.set(id, { desired: DriftMemory.hash(desired), resourceVersion: live.metadata.resourceVersion, live: DriftMemory.fingerprint(live, desired) });
  }

  /** Forgets an object (pruned). */
  forget(id: string): void {
    this.#seen.delete(id);
  }

  /** Forgets every object of an app (`namespace/name`, deleted), so apps that come and go leave nothing behind. */
  forgetApp(app: string): void {
    const prefix = `${app}|`;
    for (const id of this.#seen.keys()) if (id.startsWith(prefix)) this.#seen.delete(id);
  }

  /** How many objects it remembers. */
  get size(): number {
    return this.#seen.size;
  }
}

/** `live` cut down to the shape of `desired` (see DriftMemory.fingerprint). */
function declared(live: unknown, desired: unknown): unknown {
  if (!isMap(desired) || !isMap(live)) return live;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(desired)) out[key] = declared(live[key], desired[key]) ?? null;
  return out;
}


function digest(text: string): string {
  return createHash("sha1").update(text).digest("base64");
}
