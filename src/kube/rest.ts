import https from "node:https";
import http from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import { isErrorCode, KubeError } from "../errors.js";

/** One HTTP request to the API server. */
export interface RestRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Accept header (default application/json). */
  accept?: string;
  /** Impersonate this user (e.g. system:serviceaccount:ns:name). */
  impersonate?: string;
  timeoutMs?: number;
}

/** Counts of API requests by verb, for metrics and the steady-state benchmark. */
export type RequestCounts = Record<string, number>;

/**
 * A raw JSON client for the Kubernetes API. client-node supplies the
 * credentials (certs, tokens, in-cluster config); requests go through one
 * keep-alive agent and return plain JSON, because client-node's typed
 * deserialization drops unknown fields and turns timestamps into Dates, which
 * would make diffs lie.
 */
export class RestClient {
  readonly server: URL;
  /** Counts by "VERB resource" (e.g. "PUT leases.coordination.k8s.io"), so Lease renewals show apart from app objects. */
  readonly countsByResource: RequestCounts = {};
  #kc: KubeConfig;
  #agent: https.Agent | http.Agent | undefined;
  #headers: Record<string, string> = {};
  #headersAt = 0;

  /** Counts by verb, summed over resources. */
  get counts(): RequestCounts {
    const out: RequestCounts = {};
    for (const [key, n] of Object.entries(this.countsByResource)) {
      const verb = key.slice(0, key.indexOf(" "));
      out[verb] = (out[verb] ?? 0) + n;
    }
    return out;
  }

  constructor(kc: KubeConfig) {
    this.#kc = kc;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeError("kubeconfig has no current cluster", { code: "InvalidKubeconfig", terminal: true });
    this.server = new URL(cluster.server);
  }

  /** The KubeConfig behind this client (for watches). */
  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  async #auth(): Promise<{ agent: http.Agent; headers: Record<string, string> }> {
    // Token files rotate; re-read credentials at most once a minute.
    if (!this.#agent || Date.now() - this.#headersAt > 60_000) {
      const opts: https.RequestOptions = { headers: {} };
      await this.#kc.applyToHTTPSOptions(opts);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === "string") headers[k] = v;
      if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
      this.#headers = headers;
      this.#headersAt = Date.now();
      if (!this.#agent) {
        const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized };
        this.#agent =
          this.server.protocol === "https:"
            ? new https.Agent({ keepAlive: true, maxSockets: 64, ...tls })
            : new http.Agent({ keepAlive: true, maxSockets: 64 });
      }
    }
    return { agent: this.#agent!, headers: this.#headers };
  }

  /** Sends a request; resolves to parsed JSON, rejects with a KubeError carrying the HTTP status. */
  async request<T = unknown>(req: RestRequest): Promise<T> {
    const { agent, headers } = await this.#auth();
    const url = new URL(req.path, this.server);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const h: Record<string, string> = { ...headers, Accept: req.accept ?? "application/json" };
    if (body !== undefined) {
      h["Content-Type"] = req.contentType ?? "application/json";
      // Node sends a DELETE body without chunked framing; without a length the
      // server ignores it (preconditions and all) and reads it as the next request
      h["Content-Length"] = String(Buffer.byteLength(body));
    }
    if (req.impersonate) h["Impersonate-User"] = req.impersonate;
    const verb = req.method === "PATCH" && url.searchParams.get("dryRun") ? "DRYRUN" : req.method;
    const byResource = `${verb} ${resourceOf(url.pathname)}`;
    this.countsByResource[byResource] = (this.countsByResource[byResource] ?? 0) + 1;
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<T>((resolve, reject) => {
      const r = mod.request(url, { method: req.method, agent, headers: h, timeout: req.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) => reject(unreachable(req, err)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(json as T);
          reject(statusError(req, status, json, text));
        });
      });
      r.on("timeout", () => r.destroy(new Error(`timed out after ${req.timeoutMs ?? 30_000} ms`)));
      r.on("error", (err) => reject(unreachable(req, err)));
      if (body !== undefined) r.write(body);
      r.end();
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.#agent?.destroy();
  }
}

function unreachable(req: RestRequest, err: Error): KubeError {
  return new KubeError(`API server unreachable (${req.method} ${req.path}): ${err.message}`, {
    code: "APIUnavailable",
    cause: err,
  });
}

function statusError(req: RestRequest, status: number, json: unknown, text: string): KubeError {
  const st = (json ?? {}) as { message?: string; reason?: string; details?: unknown };
  const message = st.message ?? (text.slice(0, 300) || `HTTP ${status}`);
  return new KubeError(message, {
    code: isErrorCode(st.reason) ? st.reason : `HTTP${status}`,
    status,
    data: { method: req.method, path: req.path, details: st.details },
    terminal: status === 400 || status === 422 || status === 403,
  });
}

/** Whether an error is a 404 from the API server. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeError && err.status === 404;
}

/** Whether an error is a 409 Conflict. */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeError && err.status === 409;
}

/**
 * The resource an API path names, as `plural.group[/subresource]`
 * ("deployments.apps", "applications.plumb.dev/status", "configmaps");
 * "discovery" for discovery documents.
 */
export function resourceOf(path: string): string {
  const parts = path.split("/").filter(Boolean);
  let group = "";
  let i: number;
  if (parts[0] === "api") i = 2;
  else if (parts[0] === "apis") {
    group = parts[1] ?? "";
    i = 3;
  } else return "other";
  if (parts[i] === "namespaces" && parts.length > i + 2) i += 2;
  const resource = parts[i];
  if (!resource) return "discovery";
  const sub = parts[i + 2];
  return `${resource}${group ? `.${group}` : ""}${sub ? `/${sub}` : ""}`;
}
