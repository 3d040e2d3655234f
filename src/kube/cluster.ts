import type { KubeObject } from "../model/object.js";
import { splitApiVersion } from "../model/object.js";
import type { ClusterCapabilities } from "../render/index.js";
import type { ClusterPort, KindRef, LiveRef } from "../sync/ports.js";
import type { Discovery } from "./discovery.js";
import type { LiveCache } from "./live-cache.js";
import type { ObjectClient } from "./objects.js";

/**
 * The sync engine's view of the cluster for one identity: writes and dry-runs
 * go out as that identity (impersonating an app's ServiceAccount when it
 * names one); reads come from the shared watch cache of labelled objects and
 * fall back to a GET for objects not labelled yet.
 */
export class KubeCluster implements ClusterPort {
  #objects: ObjectClient;
  #discovery: Discovery;
  #cache: LiveCache;

  constructor(opts: { objects: ObjectClient; discovery: Discovery; cache: LiveCache }) {
    this.#objects = opts.objects;
    this.#discovery = opts.discovery;
    this.#cache = opts.cache;
  }

  async kindOf(apiVersion: string, kind: string): Promise<KindRef | undefined> {
    const info = await this.#discovery.lookup(apiVersion, kind);
    return info && { group: info.group, version: info.version, kind: info.kind, namespaced: info.namespaced };
  }

  scopeOf(group: string, kind: string): "Namespaced" | "Cluster" | undefined {
    return this.#discovery.scopeOf(group, kind);
  }

  async getLive(ref: LiveRef): Promise<KubeObject | undefined> {
    const info = await this.#discovery.lookup(ref.apiVersion, ref.kind);
    if (!info) return undefined;
    const ns = info.namespaced ? (ref.namespace ?? "") : "";
    if (!ref.fresh) {
      let hit = this.#cache.get(info.group, info.kind, ns, ref.name);
      if (hit === "unwatched") {
        await this.#cache.ensure(info);
        hit = this.#cache.get(info.group, info.kind, ns, ref.name);
      }
      if (hit && hit !== "unwatched" && versionOf(hit) === info.version) return hit;
      if (hit === undefined && ref.trustCache) return undefined;
    }
    return this.#objects.get({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ns || undefined });
  }

  apply(obj: KubeObject, opts: { dryRun?: boolean } = {}): Promise<KubeObject> {
    return this.#objects.apply(obj, opts);
  }

  async delete(ref: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string }): Promise<void> {
    await this.#objects.delete(ref);
  }

  onChange(listener: (obj: KubeObject) => void, keys?: Iterable<string>): () => void {
    return this.#cache.subscribe((_type, obj) => listener(obj), keys);
  }

  async capabilities(): Promise<ClusterCapabilities> {
    // discovery's cache is enough (kept fresh by kind lookups); only an empty one is loaded
    if (this.#discovery.apiVersions().length === 0) await this.#discovery.refresh(true);
    return { kubeVersion: await this.#discovery.serverVersion(), apiVersions: this.#discovery.apiVersions() };
  }
}

function versionOf(obj: KubeObject): string {
  return splitApiVersion(obj.apiVersion).version;
}
