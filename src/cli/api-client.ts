/** The HTTP API as `plumb app` calls it: JSON in and out, errors with the API's code and message. */

/** An answer of the API that is not 2xx, or no answer at all (status 0). */
export class ApiCallError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.status = status;
    this.code = code;
  }
}

/** A client of one Plumb server with one (optional) bearer token. */
export class ApiClient {
  readonly server: string;
  #token: string | undefined;

  constructor(opts: { server: string; token?: string }) {
    this.server = opts.server;
    this.#token = opts.token;
  }

  /** GET or POST a path; resolves to the parsed JSON body, rejects with ApiCallError. */
  async call<T = Record<string, unknown>>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`${this.server}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(130_000) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new ApiCallError(0, "Unreachable", `cannot reach ${this.server} (${cause}); is the operator running and --server (PLUMB_SERVER) right? e.g. kubectl port-forward svc/plumb 8080 -n plumb-system`, { cause: err });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new ApiCallError(res.status, "BadResponse", `${this.server}${path} answered HTTP ${res.status} with something that is not JSON; is --server a Plumb API?`);
    }
    if (!res.ok) {
      const e = (parsed as { error?: { code?: string; message?: string } }).error;
      throw new ApiCallError(res.status, e?.code ?? `HTTP${res.status}`, e?.message ?? `HTTP ${res.status}`);
    }
    return parsed as T;
  }

  /** `/api/v1/applications/NS/NAME` plus `suffix`, with both parts escaped. */
  static appPath(namespace: string, name: string, suffix = ""): string {
    return `/api/v1/applications/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}${suffix}`;
  }
}
