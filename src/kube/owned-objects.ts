import type { KubeObject } from "../model/object.js";
import type { OwnedObjectsPort, OwnerRef } from "../sync/ports.js";
import { withoutManagedFields, type LiveCache } from "./live-cache.js";
import { isNotFound, type RestClient } from "./rest.js";

/** Where the objects a kind owns are listed, and how the owner's selector narrows the list. */
const CHILD_KINDS: Record<string, { kind: string; path: string; bySelector: boolean }[]> = {
  Deployment: [{ kind: "ReplicaSet", path: "/apis/apps/v1", bySelector: true }],
  ReplicaSet: [{ kind: "Pod", path: "/api/v1", bySelector: true }],
  StatefulSet: [{ kind: "Pod", path: "/api/v1", bySelector: true }],
  DaemonSet: [{ kind: "Pod", path: "/api/v1", bySelector: true }],
  Job: [{ kind: "Pod", path: "/api/v1", bySelector: true }],
  CronJob: [{ kind: "Job", path: "/apis/batch/v1", bySelector: false }],
};
const PLURAL: Record<string, string> = { ReplicaSet: "replicasets", Pod: "pods", Job: "jobs" };
/** Owned objects are looked for this many levels down (CronJob → Job → Pod; Deployment → ReplicaSet → Pod). */
const DEPTH = 2;
/** At most this many objects of one kind per namespace and selector: a tree is for reading, not for every pod of a huge DaemonSet. */
const LIST_LIMIT = 200;

/**
 * Finds what an app's workloads own: the workloads themselves come from the
 * live cache (which watches every labelled object), their ReplicaSets, Jobs
 * and Pods from lists with the owner's selector, kept when their
 * ownerReferences name the owner's uid. Only runs when the dashboard shows an
 * app, so a few lists per view are cheaper than watching every Pod of the
 * cluster. Needs only `list` (never `get`) on the kinds involved.
 */
export class KubeOwnedObjects implements OwnedObjectsPort {
  #rest: RestClient;
  #cache: LiveCache;

  constructor(opts: { rest: RestClient; cache: LiveCache }) {
    this.#rest = opts.rest;
    this.#cache = opts.cache;
  }

  async ownedBy(refs: OwnerRef[]): Promise<{ parents: KubeObject[]; owned: KubeObject[] }> {
    const parents = (await Promise.all(refs.filter((r) => CHILD_KINDS[r.kind]).map((r) => this.#get(r)))).filter((o): o is KubeObject => !!o);
    const owned: KubeObject[] = [];
    const lists = new Map<string, Promise<KubeObject[]>>();
    let frontier = parents;
    for (let depth = 0; depth < DEPTH && frontier.length; depth++) {
      const found = await Promise.all(
        frontier.flatMap((owner) =>
          (CHILD_KINDS[owner.kind] ?? []).map(async (child) => {
            const selector = child.bySelector ? selectorOf(owner) : "";
            if (selector === undefined) return [];
            const ns = owner.metadata.namespace ?? "";
            const key = `${child.kind}/${ns}/${selector}`;
            if (!lists.has(key)) lists.set(key, this.#list(child.path, PLURAL[child.kind]!, ns, selector));
            return (await lists.get(key)!).filter((o) => ownedByUid(o, owner.metadata.uid));
          }),
        ),
      );
      frontier = found.flat();
      owned.push(...frontier);
    }
    return { parents, owned };
  }

  async #get(ref: OwnerRef): Promise<KubeObject | undefined> {
    const [group, version] = ref.apiVersion.includes("/") ? ref.apiVersion.split("/") : ["", ref.apiVersion];
    const cached = this.#cache.get(group!, ref.kind, ref.namespace, ref.name);
    if (cached !== "unwatched") return cached;
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    try {
      const res = await this.#rest.request<{ items?: KubeObject[] }>({
        method: "GET",
        path: `${base}/namespaces/${ref.namespace}/${ref.kind.toLowerCase()}s`,
        query: { fieldSelector: `metadata.name=${ref.name}` },
      });
      const found = res.items?.[0];
      return found ? withoutManagedFields({ ...found, apiVersion: ref.apiVersion, kind: ref.kind }) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async #list(apiPath: string, plural: string, namespace: string, selector: string): Promise<KubeObject[]> {
    const res = await this.#rest.request<{ items?: KubeObject[]; apiVersion?: string }>({
      method: "GET",
      path: `${apiPath}/namespaces/${namespace}/${plural}`,
      query: { limit: LIST_LIMIT, ...(selector ? { labelSelector: selector } : {}) },
    });
    const apiVersion = apiPath.replace(/^\/apis?\//, "");
    const kind = Object.entries(PLURAL).find(([, p]) => p === plural)![0];
    // list items carry no apiVersion/kind of their own
    return (res.items ?? []).map((o) => withoutManagedFields({ ...o, apiVersion, kind }));
  }
}

/** `spec.selector.matchLabels` as a label selector; undefined when the owner has none (nothing is listed then). */
function selectorOf(owner: KubeObject): string | undefined {
  const labels = ((owner.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels) ?? {};
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(",") : undefined;
}

function ownedByUid(obj: KubeObject, uid: string | undefined): boolean {
  return !!uid && ((obj.metadata.ownerReferences ?? []) as { uid?: string }[]).some((r) => r.uid === uid);
}
