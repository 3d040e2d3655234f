/** Calls to Plumb's HTTP API with the session's bearer token (a header, never a cookie). */

const TOKEN_KEY = "plumb.token";

/** The token kept for this browser tab (sessionStorage: gone when the tab closes). */
export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps (or, with null, forgets) the token. */
export function saveToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An API answer that is not 2xx, with the API's code and message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
  /** "403 Forbidden: …" as shown to people. */
  describe(): string {
    return `${this.status ? `${this.status} ` : ""}${this.code}: ${this.message}`;
  }
}

/** Headers with the bearer token, when there is one. */
export function authHeaders(token = savedToken()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

let onUnauthorized: () => void = () => undefined;
/** What to do when the API says 401 (show the login screen). */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

/** Calls the API; resolves to its JSON, rejects with ApiError (and on 401 also calls the unauthorized handler). */
export async function api<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { accept: "application/json", ...authHeaders(), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      credentials: "omit",
    });
  } catch (err) {
    throw new ApiError(0, "Unreachable", `cannot reach the Plumb API (${(err as Error).message})`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError(res.status, `HTTP${res.status}`, text.slice(0, 200));
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string } }).error;
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, e?.code ?? `HTTP${res.status}`, e?.message ?? res.statusText);
  }
  return parsed as T;
}

/** Which auth the API wants, and (with a token) whose token it is. */
export async function authInfo(token?: string): Promise<{ mode: "kubernetes" | "none"; user?: { username: string } }> {
  const res = await fetch("/api/v1/auth", { headers: { accept: "application/json", ...(token ? authHeaders(token) : {}) }, credentials: "omit" });
  const body = (await res.json()) as { mode: "kubernetes" | "none"; user?: { username: string }; error?: { code: string; message: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.code ?? `HTTP${res.status}`, body.error?.message ?? res.statusText);
  return body;
}
