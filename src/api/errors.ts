import type { ErrorRequestHandler, RequestHandler } from "express";
import { GitError, HttpError, KubeError, PlumbError, RenderError, SpecError } from "../errors.js";
import type { Logger } from "../log.js";

/** The one error shape of the API: `{"error": {"code", "message"}}`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Errors body-parser throws (it marks them with `type` and `status`). */
interface ParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** HTTP status, code and message for anything a route threw. */
export function describeError(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof HttpError) return { status: err.httpStatus, code: err.code, message: err.message };
  const parser = err as ParserError;
  if (parser?.type === "entity.too.large") return { status: 413, code: "PayloadTooLarge", message: `request body is larger than the ${parser.limit ?? ""}-byte limit` };
  if (parser?.type === "entity.parse.failed") return { status: 400, code: "InvalidJSON", message: "request body is not valid JSON" };
  if (typeof parser?.type === "string" && typeof parser.status === "number" && parser.status >= 400 && parser.status < 500) {
    return { status: parser.status, code: "BadRequest", message: (err as Error).message };
  }
  // Stage failures of an on-demand diff: the message names what failed and never carries secrets.
  if (err instanceof RenderError || err instanceof SpecError) return { status: 422, code: err.code, message: err.message };
  if (err instanceof GitError || err instanceof KubeError) return { status: 502, code: err.code, message: err.message };
  if (err instanceof PlumbError) return { status: 500, code: err.code, message: err.message };
  return { status: 500, code: "Internal", message: "internal error; see the operator's log" };
}

/** Sends an error in the API's shape. */
export function errorHandler(logger: Logger | undefined): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, code, message } = describeError(err);
    if (status >= 500) logger?.error({ method: req.method, path: req.path, code, err: (err as Error)?.message }, "API request failed");
    res.status(status).json({ error: { code, message } } satisfies ErrorBody);
  };
}

/** 404 for every path no route matched. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, "NotFound", `no route for ${req.method} ${req.path}`));
};
