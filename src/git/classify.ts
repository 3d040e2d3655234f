import { GitError } from "../errors.js";
import { scrub } from "./auth.js";
import { redactURL } from "./url.js";

/**
 * What Plumb reads from anything thrown by isomorphic-git, Node's network
 * stack or the checkout worker (which sends errors as plain objects).
 */
export interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  data?: { statusCode?: number; statusMessage?: string } | Record<string, unknown>;
  errors?: ErrorLike[];
}

/** GitError codes and whether retrying can help. */
export const GIT_ERROR_CODES = {
  RevisionNotFound: { terminal: true },
  UnsupportedURL: { terminal: true },
  AuthFailed: { terminal: false },
  RepositoryNotFound: { terminal: false },
  GitUnavailable: { terminal: false },
  GitTimeout: { terminal: false },
  GitServerError: { terminal: false },
  GitFetchFailed: { terminal: false },
} as const;

/** One of the stable GitError codes. */
export type GitErrorCode = keyof typeof GIT_ERROR_CODES;

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/** What went wrong, where, and the credentials to keep out of the message. */
export interface FailureContext {
  /** e.g. "resolving main of" or "fetching 3f9c… from". */
  action: string;
  url: string;
  secrets: string[];
  /** The operation hit its deadline. */
  timedOut?: boolean;
  timeoutMs?: number;
}

/** Turns any failure into a GitError with a stable code and a message free of secrets. */
export function toGitError(err: unknown, ctx: FailureContext): GitError {
  if (err instanceof GitError) return err;
  const e: ErrorLike = typeof err === "object" && err !== null ? (err as ErrorLike) : { message: String(err) };
  const { code, detail } = classify(e, ctx);
  const url = redactURL(ctx.url);
  const message = scrub(`${ctx.action} ${url} failed: ${detail}`, ctx.secrets);
  const status = statusOf(e);
  const cause = Object.assign(new Error(scrub(e.message ?? String(err), ctx.secrets)), { code: e.code });
  return new GitError(message, {
    code,
    terminal: GIT_ERROR_CODES[code].terminal,
    data: { repoURL: url, ...(status ? { httpStatus: status } : {}) },
    cause,
  });
}

function classify(e: ErrorLike, ctx: FailureContext): { code: GitErrorCode; detail: string } {
  if (e.code && e.code in GIT_ERROR_CODES) return { code: e.code as GitErrorCode, detail: e.message ?? e.code };
  if (ctx.timedOut || e.name === "TimeoutError" || e.name === "AbortError") {
    return { code: "GitTimeout", detail: `no answer within ${ctx.timeoutMs ?? "the"} ms; retrying later` };
  }
  const status = statusOf(e);
  if (status === 401 || status === 403) {
    return {
      code: "AuthFailed",
      detail: `the server refused access (HTTP ${status}); check the username/password or bearerToken in the secretRef`,
    };
  }
  if (status === 404) {
    return { code: "RepositoryNotFound", detail: "HTTP 404: no repository at this URL, or no access to it" };
  }
  if (status !== undefined && status >= 500) {
    return { code: "GitServerError", detail: `the Git server answered HTTP ${status}; retrying later` };
  }
  if (status !== undefined) return { code: "GitFetchFailed", detail: `the Git server answered HTTP ${status}` };
  const netCode = [e.code, ...(e.errors ?? []).map((x) => x.code)].find((c) => c && UNREACHABLE.has(c));
  if (netCode) return { code: "GitUnavailable", detail: `cannot connect (${netCode}); is the server up and the URL right?` };
  if (e.code === "ECONNRESET" || e.code === "EPIPE") {
    return { code: "GitFetchFailed", detail: `the connection broke mid-transfer (${e.code}); retrying later` };
  }
  if (e.code === "NotFoundError") return { code: "RevisionNotFound", detail: e.message ?? "not found" };
  return { code: "GitFetchFailed", detail: e.message ?? e.code ?? "unknown error" };
}

function statusOf(e: ErrorLike): number | undefined {
  const status = (e.data as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}
