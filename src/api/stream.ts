import { Router, type Response } from "express";
import { HttpError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Application } from "../model/application.js";
import { accessOf, authenticate, type Access } from "./auth.js";
import type { ApiDeps } from "./ports.js";
import { summaryOf } from "./views.js";

/** Path of the Server-Sent Events stream. */
export const STREAM_PATH = "/api/v1/stream";

/** Limits of the event stream; defaults in STREAM_DEFAULTS. */
export interface StreamLimits {
  /** Open streams at once; one more is answered 503 TooManyStreams. */
  maxClients: number;
  /** A comment line this often keeps proxies from closing an idle stream and finds dead clients. */
  heartbeatMs: number;
  /** A stream ends after this long; the client reconnects, which checks its token again. */
  maxLifetimeMs: number;
  /** How long a namespace's yes or no is reused by one stream before the Authorizer is asked again. */
  accessTtlMs: number;
}

/** Defaults of StreamLimits. */
export const STREAM_DEFAULTS: StreamLimits = { maxClients: 100, heartbeatMs: 15_000, maxLifetimeMs: 15 * 60_000, accessTtlMs: 10_000 };

/**
 * `GET /api/v1/stream`: Server-Sent Events of the Applications the caller
 * may `get`, with the same bearer-token auth as the rest of the API. It
 * starts with `snapshot` (every visible app, the list's first render), then
 * sends `added`, `changed` and `removed` (each one app summary, or its
 * namespace and name when removed).
 *
 * Bounded per client: changes are coalesced per app (only the latest state
 * of each is pending), and nothing more is written while the socket has not
 * drained, so a slow client costs at most one batch plus one pending entry
 * per app, never an unbounded queue. Rights are checked per namespace with
 * the Authorizer and reused for `accessTtlMs`; an app whose namespace the
 * caller may no longer see is sent as `removed`.
 */
export function streamRoutes(deps: ApiDeps): { router: Router; endAll: () => void } {
  const router = Router();
  const limits = { ...STREAM_DEFAULTS, ...deps.stream };
  const open = new Set<StreamClient>();
  // a stream never ends by itself: a stopping server ends them, so it need not wait out its grace period
  const endAll = (): void => {
    for (const c of open) c.end();
  };
  router.get(STREAM_PATH, authenticate(deps.auth), (req, res) => {
    if (open.size >= limits.maxClients) throw new HttpError(503, "TooManyStreams", `this replica already serves ${limits.maxClients} event streams; retry later`);
    res.status(200).set({ "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no" });
    res.flushHeaders();
    const client = new StreamClient({ deps, res, access: accessOf(res), limits, logger: deps.logger });
    open.add(client);
    req.on("close", () => {
      open.delete(client);
      client.close();
    });
    client.start();
  });
  return { router, endAll };
}

/** One open stream: what it has sent, what is pending, and what its caller may see. */
class StreamClient {
  #deps: ApiDeps;
  #res: Response;
  #access: Access;
  #limits: StreamLimits;
  #logger: Logger | undefined;
  /** Latest state per app id since the last write; null: deleted. */
  #pending = new Map<string, Application | null>();
  /** App ids the client has (sent and not removed since), with their namespace. */
  #known = new Map<string, string>();
  #rights = new Map<string, { allowed: boolean; at: number }>();
  #flushing = false;
  #draining = false;
  #closed = false;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: () => void = () => undefined;

  constructor(opts: { deps: ApiDeps; res: Response; access: Access; limits: StreamLimits; logger: Logger | undefined }) {
    this.#deps = opts.deps;
    this.#res = opts.res;
    this.#access = opts.access;
    this.#limits = opts.limits;
    this.#logger = opts.logger;
  }

  start(): void {
    // subscribe first: a change while the snapshot is checked is sent after it
    this.#unsubscribe = this.#deps.apps.subscribe((type, app) => {
      this.#pending.set(idOf(app), type === "delete" ? null : app);
      this.#schedule();
    });
    this.#timers.push(setInterval(() => this.#heartbeat(), this.#limits.heartbeatMs).unref());
    this.#timers.push(setTimeout(() => this.#res.end(), this.#limits.maxLifetimeMs).unref());
    this.#res.write(`retry: 2000\n\n`);
    void this.#snapshot();
  }

  /** Ends the response (server shutdown); `close` follows from the request's close event. */
  end(): void {
    this.#res.end();
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    for (const t of this.#timers) clearTimeout(t);
    this.#pending.clear();
  }

  async #snapshot(): Promise<void> {
    this.#flushing = true;
    try {
      const apps = this.#deps.apps.list();
      const allowed = await this.#allowedNamespaces(apps.map((a) => a.metadata.namespace ?? ""));
      if (this.#closed) return;
      const items = apps.filter((a) => allowed.get(a.metadata.namespace ?? "") === true).map(summaryOf).sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
      for (const i of items) this.#known.set(`${i.namespace}/${i.name}`, i.namespace);
      this.#send(`event: snapshot\ndata: ${JSON.stringify({ items })}\n\n`);
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#flushing = false;
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushing || this.#draining || this.#closed || this.#pending.size === 0) return;
    this.#flushing = true;
    setImmediate(() => void this.#flush());
  }

  /** Writes everything pending as one chunk; events arriving meanwhile wait for the next. */
  async #flush(): Promise<void> {
    try {
      const batch = [...this.#pending];
      this.#pending.clear();
      const allowed = await this.#allowedNamespaces(batch.map(([id, app]) => app?.metadata.namespace ?? this.#known.get(id) ?? ""));
      if (this.#closed) return;
      let out = "";
      for (const [id, app] of batch) {
        const ns = app?.metadata.namespace ?? this.#known.get(id) ?? "";
        const visible = app !== null && allowed.get(ns) === true;
        if (visible) {
          out += `event: ${this.#known.has(id) ? "changed" : "added"}\ndata: ${JSON.stringify(summaryOf(app))}\n\n`;
          this.#known.set(id, ns);
        } else if (this.#known.has(id)) {
          out += `event: removed\ndata: ${JSON.stringify({ namespace: ns, name: id.slice(ns.length + 1) })}\n\n`;
          this.#known.delete(id);
        }
      }
      if (out) this.#send(out);
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#flushing = false;
    }
    this.#schedule();
  }

  /** Whether the caller may get apps in each namespace: cached answers, one Authorizer call per namespace otherwise. */
  async #allowedNamespaces(namespaces: string[]): Promise<Map<string, boolean>> {
    const now = Date.now();
    const out = new Map<string, boolean>();
    await Promise.all(
      [...new Set(namespaces)].map(async (ns) => {
        const hit = this.#rights.get(ns);
        if (hit && now - hit.at < this.#limits.accessTtlMs) return void out.set(ns, hit.allowed);
        const allowed = await this.#access.may("get", ns);
        this.#rights.set(ns, { allowed, at: Date.now() });
        out.set(ns, allowed);
      }),
    );
    return out;
  }

  #send(text: string): void {
    if (this.#closed) return;
    if (!this.#res.write(text)) {
      // coalesce until the client has read what it was sent
      this.#draining = true;
      this.#res.once("drain", () => {
        this.#draining = false;
        this.#schedule();
      });
    }
  }

  /** A comment keeps the connection alive; revoked rights are noticed here too, even when nothing changes. */
  #heartbeat(): void {
    if (this.#draining || this.#closed) return;
    this.#send(": ping\n\n");
    const now = Date.now();
    for (const [id, ns] of this.#known) {
      const hit = this.#rights.get(ns);
      if (!hit || now - hit.at >= this.#limits.accessTtlMs) this.#pending.set(id, this.#deps.apps.get(ns, id.slice(ns.length + 1)) ?? null);
    }
    this.#schedule();
  }

  /** The Authorizer failed (API server down): say so and end; the client reconnects. */
  #fail(err: unknown): void {
    this.#logger?.warn({ err: (err as Error).message }, "event stream ended: cannot check access");
    if (this.#closed) return;
    this.#send(`event: error\ndata: ${JSON.stringify({ error: { code: "AuthUnavailable", message: "cannot check access with the Kubernetes API server; reconnecting" } })}\n\n`);
    this.#res.end();
  }
}

function idOf(app: Application): string {
  return `${app.metadata.namespace ?? ""}/${app.metadata.name}`;
}
