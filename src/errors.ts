/**
 * Plumb's error families. Every error carries a stable `code` (documented in
 * the README's "Error codes" table), optional structured `data` (file, line,
 * object key, field) and a `cause`. Messages say what failed, where, and what
 * to do; they never carry secrets.
 */
/**
 * Every stable error code, by family. The README's "Error codes" table lists
 * exactly these (test/errors.test.ts keeps the two in step); a new code is
 * added here and there together.
 */
export const ERROR_CODES = {
  render: [
    "InvalidYAML", "InvalidJSON", "DuplicateKey", "AliasLimit", "TooDeep", "FileTooLarge", "RepoTooLarge",
    "BinaryFile", "InvalidEncoding", "UnsupportedFile", "InvalidObject", "MissingField", "InvalidName",
    "DuplicateObject", "PathEscape", "NotADirectory", "PathNotFound", "SymlinkEscape", "SymlinkLoop",
    "UnknownKind", "NoNamespace",
    // Kustomize and Helm charts
    "KustomizeFailed", "HelmTemplateFailed", "RemoteBaseRefused", "ChartNotFound", "ChartVersionNotFound", "RenderTimeout", "RenderTooLarge",
  ],
  git: ["RevisionNotFound", "UnsupportedURL", "AuthFailed", "RepositoryNotFound", "GitUnavailable", "GitTimeout", "GitServerError", "GitFetchFailed"],
  spec: ["InvalidSpec"],
  config: ["InvalidConfig", "InvalidKubeconfig"],
  // the API server's metav1.StatusReason of a failed call (HTTP<n> when it gave none), and Plumb's own
  kube: [
    "APIUnavailable", "APIError", "SecretNotFound", "SecretUnreadable",
    "BadRequest", "Unauthorized", "Forbidden", "NotFound", "AlreadyExists", "Conflict", "Gone", "Invalid",
    "ServerTimeout", "StoreReadError", "Timeout", "TooManyRequests", "MethodNotAllowed", "NotAcceptable",
    "RequestEntityTooLarge", "UnsupportedMediaType", "InternalError", "Expired", "ServiceUnavailable",
  ],
  sync: ["HealthCheckFailed", "Superseded"],
  api: ["HistoryNotFound", "PayloadTooLarge", "AuthUnavailable", "NotLeader", "NotReady", "MissingSignature", "InvalidSignature", "WebhookDisabled", "TooManyStreams", "DashboardNotBuilt"],
  cli: ["ReadFailed", "InvalidArgs"],
  notify: ["AddressMissing", "AddressInvalid", "RepoUnknown", "TokenMissing", "DeliveryFailed", "QueueFull"],
  internal: ["Internal"],
} as const;

/** A stable error code: one of ERROR_CODES, or `HTTP<n>` for an API server answer without a reason. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES][number] | `HTTP${number}`;

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).flat());

/** Whether a string (e.g. an API server's reason) is a known error code. */
export function isErrorCode(text: unknown): text is ErrorCode {
  return typeof text === "string" && (KNOWN_CODES.has(text) || /^HTTP\d+$/.test(text));
}

export class PlumbError extends Error {
  /** Stable machine-readable code, e.g. "InvalidYAML". */
  readonly code: ErrorCode;
  /** Where it happened: file, line, key, field... */
  readonly data: Record<string, unknown>;
  /** Terminal errors need a spec or revision change; retrying will not help. */
  readonly terminal: boolean;

  constructor(
    message: string,
    opts: { code: ErrorCode; data?: Record<string, unknown>; cause?: unknown; terminal?: boolean },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.data = opts.data ?? {};
    this.terminal = opts.terminal ?? false;
  }
}

/** Settings that cannot work; the process refuses to start. */
export class ConfigError extends PlumbError {
  constructor(message: string, opts: { code?: ErrorCode; data?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { code: opts.code ?? "InvalidConfig", terminal: true, ...opts });
  }
}

/** Manifests that cannot be rendered (bad YAML, invalid object, unsafe path). Terminal. */
export class RenderError extends PlumbError {
  constructor(message: string, opts: { code: ErrorCode; data?: Record<string, unknown>; cause?: unknown }) {
    super(message, { terminal: true, ...opts });
  }
}

/** Git fetch, auth or revision resolution failed. Usually transient. */
export class GitError extends PlumbError {
  constructor(
    message: string,
    opts: { code: ErrorCode; data?: Record<string, unknown>; cause?: unknown; terminal?: boolean },
  ) {
    super(message, opts);
  }
}

/** A Kubernetes API call failed. */
export class KubeError extends PlumbError {
  /** HTTP status from the API server, when there was one. */
  readonly status: number | undefined;
  constructor(
    message: string,
    opts: { code: ErrorCode; status?: number; data?: Record<string, unknown>; cause?: unknown; terminal?: boolean },
  ) {
    super(message, opts);
    this.status = opts.status;
  }
}

/** The Application spec itself is invalid. Terminal. */
export class SpecError extends PlumbError {
  constructor(message: string, opts: { code?: ErrorCode; data?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { code: opts.code ?? "InvalidSpec", terminal: true, ...opts });
  }
}

/** An HTTP API error with its status code. */
export class HttpError extends PlumbError {
  readonly httpStatus: number;
  constructor(httpStatus: number, code: ErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, { code, ...opts });
    this.httpStatus = httpStatus;
  }
}

/** Wraps anything thrown into a PlumbError, keeping PlumbErrors as they are. */
export function asPlumbError(err: unknown, code: ErrorCode = "Internal"): PlumbError {
  if (err instanceof PlumbError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PlumbError(message, { code, cause: err });
}
