/**
 * Plumb's error families. Every error carries a stable `code` (documented in
 * the README's "Error codes" table), optional structured `data` (file, line,
 * object key, field) and a `cause`. Messages say what failed, where, and what
 * to do; they never carry secrets.
 */
export class PlumbError extends Error {
  /** Stable machine-readable code, e.g. "InvalidYAML". */
  readonly code: string;
  /** Where it happened: file, line, key, field... */
  readonly data: Record<string, unknown>;
  /** Terminal errors need a spec or revision change; retrying will not help. */
  readonly terminal: boolean;

  constructor(
    message: string,
    opts: { code: string; data?: Record<string, unknown>; cause?: unknown; terminal?: boolean },
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
  constructor(message: string, opts: { code?: string; data?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { code: opts.code ?? "InvalidConfig", terminal: true, ...opts });
  }
}

/** Manifests that cannot be rendered (bad YAML, invalid object, unsafe path). Terminal. */
export class RenderError extends PlumbError {
  constructor(message: string, opts: { code: string; data?: Record<string, unknown>; cause?: unknown }) {
    super(message, { terminal: true, ...opts });
  }
}

/** Git fetch, auth or revision resolution failed. Usually transient. */
export class GitError extends PlumbError {
  constructor(
    message: string,
    opts: { code: string; data?: Record<string, unknown>; cause?: unknown; terminal?: boolean },
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
    opts: { code: string; status?: number; data?: Record<string, unknown>; cause?: unknown; terminal?: boolean },
  ) {
    super(message, opts);
    this.status = opts.status;
  }
}

/** The Application spec itself is invalid. Terminal. */
export class SpecError extends PlumbError {
  constructor(message: string, opts: { code?: string; data?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { code: opts.code ?? "InvalidSpec", terminal: true, ...opts });
  }
}

/** An HTTP API error with its status code. */
export class HttpError extends PlumbError {
  readonly httpStatus: number;
  constructor(httpStatus: number, code: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, { code, ...opts });
    this.httpStatus = httpStatus;
  }
}

/** Wraps anything thrown into a PlumbError, keeping PlumbErrors as they are. */
export function asPlumbError(err: unknown, code = "Internal"): PlumbError {
  if (err instanceof PlumbError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PlumbError(message, { code, cause: err });
}
