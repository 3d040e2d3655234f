import { isDeepStrictEqual } from "node:util";
import type { Logger } from "../log.js";
import type { Application, ApplicationStatus } from "../model/application.js";
import { APP_GROUP, APP_KIND, APP_PLURAL, APP_VERSION } from "../model/labels.js";
import type { AppStorePort, RepoCredentials } from "../sync/ports.js";
import { KubeError } from "../errors.js";
import { startInformer, type Informer } from "./informer.js";
import { withoutManagedFields } from "./live-cache.js";
import { isNotFound, type RestClient } from "./rest.js";
import { isMap } from "../model/object.js";

type Listener = (type: "add" | "update" | "delete", app: Application) => void;

/**
 * Applications from a watch cache; status written through the status
 * subresource only when it changed; Events; repository credentials.
 */
export class KubeAppStore implements AppStorePort {
  #rest: RestClient;
  #logger: Logger;
  #informer: Informer | undefined;
  #listeners = new Set<Listener>();
  /** Status we wrote that the watch may not have delivered yet. */
  #written = new Map<string, Application>();
  #creds = new Map<string, { at: number; value: RepoCredentials }>();
  /** The last status write per app: writes of one app go out one at a time, in call order. */
  #writing = new Map<string, Promise<void>>();
  readonly namespace: string | undefined;

  constructor(opts: { rest: RestClient; logger: Logger; namespace?: string }) {
    this.#rest = opts.rest;
    this.#logger = opts.logger;
    this.namespace = opts.namespace;
  }

  /** Starts the Application informer; resolves when its cache is synced. */
  async start(): Promise<void> {
    const ns = this.namespace ? `/namespaces/${this.namespace}` : "";
    this.#informer = startInformer({
      rest: this.#rest,
      path: `/apis/${APP_GROUP}/${APP_VERSION}${ns}/${APP_PLURAL}`,
      apiVersion: `${APP_GROUP}/${APP_VERSION}`,
      kind: APP_KIND,
      logger: this.#logger,
      transform: withoutManagedFields,
      onEvent: (type, obj) => {
        const app = obj as Application;
        const id = idOf(app);
        const w = this.#written.get(id);
        if (w && Number(app.metadata.resourceVersion) >= Number(w.metadata.resourceVersion)) this.#written.delete(id);
        for (const l of this.#listeners) l(type, app);
      },
    });
    await this.#informer.synced;
  }

  /** Whether the Application cache has synced (readiness). */
  isSynced(): boolean {
    return this.#informer?.isSynced() ?? false;
  }

  async stop(): Promise<void> {
    await this.#informer?.stop();
  }

  get(namespace: string, name: string): Application | undefined {
    const cached = this.#informer?.get(name, namespace) as Application | undefined;
    const w = this.#written.get(`${namespace}/${name}`);
    if (w && (!cached || Number(w.metadata.resourceVersion) > Number(cached.metadata.resourceVersion))) return w;
    return cached;
  }

  list(): Application[] {
    return (this.#informer?.list() ?? []).map((a) => this.get(a.metadata.namespace ?? "", a.metadata.name)!).filter(Boolean);
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Writes are serialized per app: a progress write still in flight must not
   * land after (and overwrite) the reconcile's final status.
   */
  async writeStatus(app: Application, status: ApplicationStatus): Promise<void> {
    const id = idOf(app);
    const next = (this.#writing.get(id) ?? Promise.resolve()).catch(() => undefined).then(() => this.#writeStatus(app, status));
    this.#writing.set(id, next);
    try {
      await next;
    } finally {
      if (this.#writing.get(id) === next) this.#writing.delete(id);
    }
  }

  async #writeStatus(app: Application, status: ApplicationStatus): Promise<void> {
    const current = this.get(app.metadata.namespace ?? "", app.metadata.name) ?? app;
    if (isDeepStrictEqual(current.status ?? {}, status)) return;
    const patch = mergePatch(current.status ?? {}, status);
    try {
      const res = await this.#rest.request<Application>({
        method: "PATCH",
        path: `/apis/${APP_GROUP}/${APP_VERSION}/namespaces/${app.metadata.namespace}/${APP_PLURAL}/${app.metadata.name}/status`,
        contentType: "application/merge-patch+json",
        body: { status: patch },
      });
      this.#written.set(idOf(res), withoutManagedFields(res) as Application);
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile
      throw err;
    }
  }

  async recordEvent(app: Application, event: { type: "Normal" | "Warning"; reason: string; message: string }): Promise<void> {
    const now = new Date().toISOString();
    const ns = app.metadata.namespace ?? "default";
    await this.#rest
      .request({
        method: "POST",
        path: `/api/v1/namespaces/${ns}/events`,
        body: {
          apiVersion: "v1",
          kind: "Event",
          metadata: { generateName: `${app.metadata.name}.`, namespace: ns },
          involvedObject: { apiVersion: app.apiVersion, kind: APP_KIND, name: app.metadata.name, namespace: ns, uid: app.metadata.uid, resourceVersion: app.metadata.resourceVersion },
          reason: event.reason,
          message: event.message.slice(0, 1024),
          type: event.type,
          source: { component: "plumb" },
          reportingComponent: "plumb.dev/operator",
          reportingInstance: "plumb",
          action: event.reason,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      })
      .catch((err: unknown) => this.#logger.warn({ err: (err as Error).message, reason: event.reason }, "could not record event"));
  }

  async repoCredentials(namespace: string, secretName: string): Promise<RepoCredentials> {
    const id = `${namespace}/${secretName}`;
    const hit = this.#creds.get(id);
    if (hit && Date.now() - hit.at < 30_000) return hit.value;
    let secret: { data?: Record<string, string> };
    try {
      secret = await this.#rest.request({ method: "GET", path: `/api/v1/namespaces/${namespace}/secrets/${secretName}` });
    } catch (err) {
      throw new KubeError(`cannot read repository credentials Secret ${id}: ${(err as Error).message}`, {
        code: isNotFound(err) ? "SecretNotFound" : "SecretUnreadable",
        terminal: false,
      });
    }
    const get = (k: string) => (secret.data?.[k] ? Buffer.from(secret.data[k], "base64").toString("utf8") : undefined);
    const value: RepoCredentials = {};
    const u = get("username"), p = get("password"), t = get("bearerToken");
    if (u !== undefined) value.username = u;
    if (p !== undefined) value.password = p;
    if (t !== undefined) value.bearerToken = t;
    this.#creds.set(id, { at: Date.now(), value });
    return value;
  }
}

function idOf(app: Application): string {
  return `${app.metadata.namespace}/${app.metadata.name}`;
}

/**
 * The JSON merge patch (RFC 7386) that turns `current` into `next`: maps are
 * followed key by key, and a key `next` lacks, at any depth, is sent as null
 * (a new operation's status must not keep the last one's `finishedAt`);
 * anything else, lists included, is replaced whole.
 */
export function mergePatch(current: object, next: object): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const cur = current as Record<string, unknown>;
  for (const [k, v] of Object.entries(next)) patch[k] = isMap(v) && isMap(cur[k]) ? mergePatch(cur[k], v) : v;
  for (const k of Object.keys(cur)) if (!(k in next)) patch[k] = null;
  return patch;
}

