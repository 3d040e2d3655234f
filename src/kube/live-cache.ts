import type { Logger } from "../log.js";
import { APP_LABEL } from "../model/labels.js";
import type { KubeObject } from "../model/object.js";
import { resourcePath, type KindInfo } from "./discovery.js";
import { startInformer, type Informer, type InformerEvent } from "./informer.js";
import type { RestClient } from "./rest.js";

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

  constructor(opts: { rest: RestClient; logger: Logger }) {
    this.#rest = opts.rest;
    this.#logger = opts.logger;
  }

  /** Starts watching a kind (idempotent) and waits for its first list. */
  async ensure(info: KindInfo): Promise<void> {
    const key = `${info.group}/${info.kind}`;
    let inf = this.#informers.get(key);
    if (!inf) {
      inf = startInformer({
        rest: this.#rest,
        path: resourcePath(info, undefined),
        apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
        kind: info.kind,
        labelSelector: APP_LABEL,
        logger: this.#logger,
        onEvent: (type, obj) => {
          for (const l of this.#listeners) l(type, obj);
        },
      });
      this.#informers.set(key, inf);
    }
    await inf.synced;
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

  /** Subscribes to changes; returns an unsubscribe function. */
  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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
