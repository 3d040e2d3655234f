import { RenderError } from "../errors.js";
import type { RenderErrorCode } from "./error-codes.js";

/** Where a render problem is: file relative to the render root (posix), 1-based line and column. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  key?: string;
}

/** `file:line:column` with the parts that are known, e.g. `apps/web.yaml:12:3`. */
export function formatLocation(where: SourceLocation): string {
  let out = where.file;
  if (where.line !== undefined) out += `:${where.line}`;
  if (where.line !== undefined && where.column !== undefined) out += `:${where.column}`;
  return out;
}

/**
 * A RenderError whose message starts with the location, as compilers print
 * it, so `plumb render` and the Application status point straight at the line.
 */
export function renderErrorAt(
  where: SourceLocation,
  problem: { code: RenderErrorCode; message: string; cause?: unknown; data?: Record<string, unknown> },
): RenderError {
  const data: Record<string, unknown> = { ...problem.data, file: where.file };
  if (where.line !== undefined) data.line = where.line;
  if (where.column !== undefined) data.column = where.column;
  if (where.key !== undefined) data.key = where.key;
  return new RenderError(`${formatLocation(where)}: ${problem.message}`, {
    code: problem.code,
    data,
    cause: problem.cause,
  });
}

/** 1-based line and column of a character offset in a text. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
