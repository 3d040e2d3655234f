import type { RestClient } from "./rest.js";

/** How to reach a kind: its plural resource name and scope. */
export interface KindInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

interface DiscoveryResource {
  resource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  scope: "Namespaced" | "Cluster";
}
interface DiscoveryGroup {
  metadata?: { name?: string };
  versions?: { version: string; resources?: DiscoveryResource[] }[];
}

const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

/**
 * API discovery with a cache: two requests (aggregated discovery of /api and
 * /apis) fill it; a miss refreshes it at most every few seconds, so a CRD
 * installed moments ago is found without hammering the API server.
 */
export class Discovery {
  #rest: RestClient;
  #byGVK = new Map<string, KindInfo>();
  #byGK = new Map<string, KindInfo>();
  #apiVersions: string[] = [];
  #version: Promise<string> | undefined;
  #loadedAt = 0;
  #loading: Promise<void> | undefined;
  readonly minRefreshMs: number;

  constructor(rest: RestClient, opts: { minRefreshMs?: number } = {}) {
    this.#rest = rest;
    this.minRefreshMs = opts.minRefreshMs ?? 2_000;
  }

  /** Looks up a kind by apiVersion (exact version) and kind; undefined when the server does not serve it. */
  async lookup(apiVersion: string, kind: string): Promise<KindInfo | undefined> {
    const hit = this.#byGVK.get(`${apiVersion}/${kind}`);
    if (hit) return hit;
    await this.refresh();
    return this.#byGVK.get(`${apiVersion}/${kind}`);
  }

  /** Looks up a kind by group (any served version, preferred first). */
  async lookupGroupKind(group: string, kind: string): Promise<KindInfo | undefined> {
    const hit = this.#byGK.get(`${group}/${kind}`);
    if (hit) return hit;
    await this.refresh();
    return this.#byGK.get(`${group}/${kind}`);
  }

  /** Scope from the cache only (pure lookups during render). */
  scopeOf(group: string, kind: string): "Namespaced" | "Cluster" | undefined {
    const k = this.#byGK.get(`${group}/${kind}`);
    return k ? (k.namespaced ? "Namespaced" : "Cluster") : undefined;
  }

  /** Every served `group/version` and `group/version/Kind` (Helm's --api-versions), from the cache. */
  apiVersions(): string[] {
    return this.#apiVersions;
  }

  /** The API server's gitVersion (e.g. v1.37.2), asked once. */
  serverVersion(): Promise<string> {
    this.#version ??= this.#rest.request<{ gitVersion?: string }>({ method: "GET", path: "/version" }).then(
      (v) => v?.gitVersion ?? "",
      (err: unknown) => {
        this.#version = undefined;
        throw err;
      },
    );
    return this.#version;
  }

  /** Reloads discovery unless it was loaded within minRefreshMs. */
  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.#loadedAt < this.minRefreshMs) return;
    this.#loading ??= this.#load().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #load(): Promise<void> {
    const [core, groups] = await Promise.all(
      ["/api", "/apis"].map((path) =>
        this.#rest.request<{ items?: DiscoveryGroup[] }>({ method: "GET", path, accept: AGGREGATED }),
      ),
    );
    const byGVK = new Map<string, KindInfo>();
    const byGK = new Map<string, KindInfo>();
    for (const g of [...(core?.items ?? []), ...(groups?.items ?? [])]) {
      const group = g.metadata?.name ?? "";
      // versions are listed in preference order; the first one wins for group/kind lookups
      for (const v of g.versions ?? []) {
        for (const r of v.resources ?? []) {
          const kind = r.responseKind?.kind;
          if (!kind || r.resource.includes("/")) continue;
          const info: KindInfo = { group, version: v.version, kind, plural: r.resource, namespaced: r.scope === "Namespaced" };
          const apiVersion = group ? `${group}/${v.version}` : v.version;
          if (!byGVK.has(`${apiVersion}/${kind}`)) byGVK.set(`${apiVersion}/${kind}`, info);
          if (!byGK.has(`${group}/${kind}`)) byGK.set(`${group}/${kind}`, info);
        }
      }
    }
    const apiVersions = new Set<string>();
    for (const key of byGVK.keys()) {
      apiVersions.add(key);
      apiVersions.add(key.slice(0, key.lastIndexOf("/")));
    }
    this.#apiVersions = [...apiVersions].sort();
    this.#byGVK = byGVK;
    this.#byGK = byGK;
    this.#loadedAt = Date.now();
  }
}

/** The REST path of a collection or of one object. */
export function resourcePath(info: KindInfo, namespace: string | undefined, name?: string): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${info.plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}
