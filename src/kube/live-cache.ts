import type { Logger } from "../log.js";
import { APP_LABEL } from "../model/labels.js";
import type { KubeObject } from "../model/object.js";
import { keyOf, keyString } from "../model/resource-key.js";
import { resourcePath, type KindInfo } from "./discovery.js";
import { startInformer, type Informer, type InformerEvent } from "./informer.js";
import type { RestClient } from "./rest.js";

const DENIED_RETRY_MS = 300_000;

/**
 * Cached objects drop `metadata.managedFields`: no reader needs them (diffs
 * and drift fingerprints leave them out), and they are often half of an
 * object's size, which matters with ten thousand objects cached.
 */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** Listener for changes to any object Plumb manages. */
export type LiveListener = (type: InformerEvent, obj: KubeObject) => void;

/**
 * Watch-based cache of every object carrying the `plumb.dev/application`
 * label, one informer per kind, started the first time an Application
 * manages that kind. Reads at rest cost no API requests, and changes (drift,
 * rollouts progressing) arrive as events instead of polls.
 */
export class LiveCache {
  #rest: RestClient;
  #logger: Logger;
  #informers = new Map<string, Informer>();
  #listeners = new Set<LiveListener>();
  /** Listeners of particular objects by keyString: a thousand waiting health gates cost one lookup per event. */
  #byKey = new Map<string, Set<LiveListener>>();
  /** Kinds the operator may not list/watch, and when that was last found out. */
  #denied = new Map<string, number>();

  constructor(opts: { rest: RestClient; logger: Logger }) {
    this.#rest = opts.rest;
    this.#logger = opts.logger;
  }

  /**
   * Starts watching a kind (idempotent) and waits for its first list. When
   * RBAC forbids the list, the kind stays unwatched (readers fall back to
   * GETs) and the watch is tried again after a few minutes.
   */
  async ensure(info: KindInfo): Promise<void> {
    const key = `${info.group}/${info.kind}`;
    if (Date.now() - (this.#denied.get(key) ?? -Infinity) < DENIED_RETRY_MS) return;
    let inf = this.#informers.get(key);
    if (!inf) {
      inf = startInformer({
        rest: this.#rest,
        path: resourcePath(info, undefined),
        apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
        kind: info.kind,
        labelSelector: APP_LABEL,
        logger: this.#logger,
        onEvent: (type, obj) => this.#emit(type, obj),
        transform: withoutManagedFields,
      });
      this.#informers.set(key, inf);
    }
    const denied = await Promise.race([inf.synced.then(() => undefined), inf.denied]);
    if (denied && this.#informers.get(key) === inf) {
      this.#informers.delete(key);
      this.#denied.set(key, Date.now());
      await inf.stop();
      this.#logger.warn({ kind: key, err: denied.message }, "cannot watch this kind (grant list/watch to the plumb-controller ClusterRole); reading it with GETs instead");
    }
  }

  /**
   * The cached object, `undefined` when the kind is watched and the object
   * is not there (or is not labelled), or `"unwatched"` when the kind is not
   * watched yet.
   */
  get(group: string, kind: string, namespace: string, name: string): KubeObject | undefined | "unwatched" {
    const inf = this.#informers.get(`${group}/${kind}`);
    if (!inf?.isSynced()) return "unwatched";
    return inf.get(name, namespace || undefined);
  }

  /** Subscribes to changes (of the objects with these keyStrings only, when given); returns an unsubscribe function. */
  subscribe(listener: LiveListener, keys?: Iterable<string>): () => void {
    if (!keys) {
      this.#listeners.add(listener);
      return () => this.#listeners.delete(listener);
    }
    const wanted = [...new Set(keys)];
    for (const k of wanted) {
      let set = this.#byKey.get(k);
      if (!set) this.#byKey.set(k, (set = new Set()));
      set.add(listener);
    }
    return () => {
      for (const k of wanted) {
        const set = this.#byKey.get(k);
        set?.delete(listener);
        if (set?.size === 0) this.#byKey.delete(k);
      }
    };
  }

  #emit(type: InformerEvent, obj: KubeObject): void {
    for (const l of this.#listeners) l(type, obj);
    if (this.#byKey.size === 0) return;
    const keyed = this.#byKey.get(keyString(keyOf(obj)));
    if (keyed) for (const l of [...keyed]) l(type, obj);
  }

  /** Number of kinds watched. */
  get size(): number {
    return this.#informers.size;
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
    this.#informers.clear();
  }
}
