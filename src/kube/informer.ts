import { ListWatch, Watch, type KubernetesObject } from "@kubernetes/client-node";
import { KubeError } from "../errors.js";
import type { Logger } from "../log.js";
import type { KubeObject } from "../model/object.js";
import type { RestClient } from "./rest.js";

/** Event from an informer. */
export type InformerEvent = "add" | "update" | "delete";

/** A running list+watch cache of one collection. */
export interface Informer {
  list(): readonly KubeObject[];
  get(name: string, namespace?: string): KubeObject | undefined;
  /** Resolves once the first list has landed. */
  synced: Promise<void>;
  /** Resolves with the error when the API server forbids the list (RBAC) before the first sync. */
  denied: Promise<Error>;
  isSynced(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts client-node's ListWatch on a collection path with raw JSON lists
 * (objects keep every field), restarting with capped backoff when the watch
 * fails for any reason client-node does not retry itself (API server down,
 * network errors); 410 Gone relists inside ListWatch.
 */
export function startInformer(opts: {
  rest: RestClient;
  path: string;
  apiVersion: string;
  kind: string;
  labelSelector?: string;
  logger: Logger;
  onEvent: (type: InformerEvent, obj: KubeObject) => void;
  /** Applied to every object before it is cached (e.g. to drop what no reader needs). */
  transform?: (obj: KubeObject) => KubeObject;
}): Informer {
  const { rest, path, apiVersion, kind, labelSelector, logger } = opts;
  const transform = opts.transform ?? ((o: KubeObject) => o);
  const listFn = async () => {
    const list = await rest.request<{ items?: KubeObject[]; metadata?: { resourceVersion?: string } }>({
      method: "GET",
      path,
      query: { labelSelector },
    });
    // list items carry no apiVersion/kind; watch events do
    const items = (list.items ?? []).map((o) => transform({ ...o, apiVersion, kind }));
    listed = true;
    backoff = 500;
    return { items: items as unknown as KubernetesObject[], metadata: list.metadata ?? {} };
  };
  const watch = new Watch(rest.kubeConfig);
  const transforming = {
    watch: (p: string, query: Parameters<Watch["watch"]>[1], callback: Parameters<Watch["watch"]>[2], done: Parameters<Watch["watch"]>[3]) =>
      watch.watch(p, query, (phase, obj, raw) => callback(phase, phase === "ADDED" || phase === "MODIFIED" || phase === "DELETED" ? transform(obj as KubeObject) : obj, raw), done),
  };
  const lw = new ListWatch<KubernetesObject>(path, transforming as unknown as Watch, listFn as never, false, labelSelector);
  let synced = false;
  let stopped = false;
  let backoff = 500;
  let resolveSynced!: () => void;
  const syncedP = new Promise<void>((r) => (resolveSynced = r));
  let resolveDenied!: (err: Error) => void;
  const denied = new Promise<Error>((r) => (resolveDenied = r));
  let listed = false;
  // ListWatch.start() resolves after the list is in the cache (or after a
  // failed list was reported as an error): only the former counts as synced.
  const start = () =>
    lw.start().then(
      () => {
        if (listed && !synced) {
          synced = true;
          resolveSynced();
        }
      },
      (err: unknown) => logger.warn({ path, err: (err as Error).message }, "list failed"),
    );
  for (const t of ["add", "update", "delete"] as const) {
    lw.on(t, (o) => {
      backoff = 500; // the watch works again: the next failure retries fast (a restart resumes without a list)
      opts.onEvent(t, o as unknown as KubeObject);
    });
  }
  lw.on("error", (err) => {
    if (stopped) return;
    if (!synced && err instanceof KubeError && err.status === 403) resolveDenied(err);
    logger.warn({ path, err: (err as Error)?.message, retryMs: backoff }, "watch failed; restarting");
    const wait = backoff;
    backoff = Math.min(backoff * 2, 10_000);
    setTimeout(() => {
      if (!stopped) void start();
    }, wait).unref();
  });
  void start();
  return {
    list: () => lw.list() as unknown as KubeObject[],
    get: (name, namespace) => lw.get(name, namespace) as unknown as KubeObject | undefined,
    synced: syncedP,
    denied,
    isSynced: () => synced,
    stop: async () => {
      stopped = true;
      await lw.stop();
    },
  };
}
