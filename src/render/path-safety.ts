import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { RenderError } from "../errors.js";

/** Whether `candidate` (a real path) is `rootReal` itself or below it. */
export function isInsideRoot(rootReal: string, candidate: string): boolean {
  const rel = path.relative(rootReal, candidate);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Normalizes the Application's `path` (posix, relative to the root) and
 * refuses absolute paths and `..` escapes before touching the file system.
 */
export function normalizeSourcePath(sourcePath: string): string {
  if (sourcePath.includes("\0")) {
    throw new RenderError(`path ${JSON.stringify(sourcePath)} contains a NUL byte`, {
      code: "PathEscape",
      data: { path: sourcePath },
    });
  }
  const posix = sourcePath.replaceAll("\\", "/");
  if (path.posix.isAbsolute(posix) || /^[A-Za-z]:/.test(posix)) {
    throw new RenderError(`path "${sourcePath}" is absolute; give a directory relative to the repository root`, {
      code: "PathEscape",
      data: { path: sourcePath },
    });
  }
  const normalized = path.posix.normalize(posix === "" ? "." : posix).replace(/\/+$/, "");
  if (normalized === ".." || normalized.startsWith("../")) {
    throw new RenderError(`path "${sourcePath}" escapes the repository root`, {
      code: "PathEscape",
      data: { path: sourcePath },
    });
  }
  return normalized === "" ? "." : normalized;
}

/** Maps a failed realpath to a RenderError; `shown` is the root-relative path. */
export function realpathFailure(err: unknown, shown: string): Error {
  const code = errno(err);
  if (code === "ELOOP") {
    return new RenderError(`${shown}: symlink loop; remove the cycle`, {
      code: "SymlinkLoop",
      data: { file: shown },
      cause: err,
    });
  }
  if (code === "ENOENT" || code === "ENOTDIR") {
    return new RenderError(`${shown}: no such file or directory (or a broken symlink)`, {
      code: "PathNotFound",
      data: { file: shown },
      cause: err,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Whether a realpath failure means "nothing there" (a dangling link). */
export function isMissingPath(err: unknown): boolean {
  return errno(err) === "ENOENT" || errno(err) === "ENOTDIR";
}

/** The error for a link whose target is outside the root. */
export function symlinkEscape(shown: string): RenderError {
  return new RenderError(`${shown}: symlink resolves outside the repository root; only links inside it are followed`, {
    code: "SymlinkEscape",
    data: { file: shown },
  });
}

/**
 * Resolves a path through every symlink and insists the result stays inside
 * the root: a repository must not read the operator's own files.
 * `shown` is the root-relative path used in messages.
 */
export async function realpathInsideRoot(opts: { rootReal: string; target: string; shown: string }): Promise<string> {
  let real: string;
  try {
    real = await realpath(opts.target);
  } catch (err) {
    throw realpathFailure(err, opts.shown);
  }
  if (!isInsideRoot(opts.rootReal, real)) throw symlinkEscape(opts.shown);
  return real;
}

/** Resolves the render root and the directory to render inside it. */
export async function resolveRenderStart(opts: {
  root: string;
  path: string;
}): Promise<{ rootReal: string; startReal: string; startRel: string }> {
  const startRel = normalizeSourcePath(opts.path);
  let rootReal: string;
  try {
    rootReal = await realpath(opts.root);
  } catch (err) {
    throw new RenderError(`render root "${opts.root}" does not exist`, {
      code: "PathNotFound",
      data: { path: opts.root },
      cause: err,
    });
  }
  const shown = startRel;
  const startReal = await realpathInsideRoot({ rootReal, target: path.join(rootReal, startRel), shown });
  if (!(await stat(startReal)).isDirectory()) {
    throw new RenderError(`${shown}: not a directory; give the directory that holds the manifests`, {
      code: "NotADirectory",
      data: { file: shown },
    });
  }
  return { rootReal, startReal, startRel: startRel === "." ? "" : startRel };
}
