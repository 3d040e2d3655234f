import { PlumbError, type ErrorCode } from "../errors.js";

/** A Notifier that cannot deliver as configured (no address, no token, a repoURL naming no repository); never retried. */
export class NotifyError extends PlumbError {
  constructor(message: string, opts: { code: ErrorCode; data?: Record<string, unknown>; cause?: unknown }) {
    super(message, { terminal: true, ...opts });
  }
}
