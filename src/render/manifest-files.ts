import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { RenderError } from "../errors.js";
import type { RenderLimits } from "./limits.js";
import { isInsideRoot, isMissingPath, realpathFailure, resolveRenderStart, symlinkEscape } from "./path-safety.js";

/** A manifest file found by the walk. */
export interface ManifestFile {
  /** Path relative to the render root as the user sees it (posix), links not resolved. */
  rel: string;
  /** Real path on disk, checked to be inside the root. */
  real: string;
  size: number;
}

const MANIFEST_NAME = /\.(ya?ml|json)$/;

/** Whether a file name is one Plumb renders (`*.yaml`, `*.yml`, `*.json`). */
export function isManifestName(name: string): boolean {
  return MANIFEST_NAME.test(name);
}

interface Walk {
  rootReal: string;
  recurse: boolean;
  limits: RenderLimits;
  files: ManifestFile[];
  totalBytes: number;
}

/**
 * Lists the manifest files under `path` inside `root`, sorted by path, with
 * every symlink resolved and checked to stay inside the root. Hidden entries
 * (`.git`, `.github`, ...) are skipped: they are never Kubernetes manifests.
 * Size and count limits are enforced before any file is read.
 */
export async function listManifestFiles(opts: {
  root: string;
  path: string;
  recurse: boolean;
  limits: RenderLimits;
}): Promise<ManifestFile[]> {
  const { rootReal, startReal, startRel } = await resolveRenderStart(opts);
  const walk: Walk = { rootReal, recurse: opts.recurse, limits: opts.limits, files: [], totalBytes: 0 };
  await walkDirectory(walk, { dirReal: startReal, dirRel: startRel, ancestors: [startReal] });
  return walk.files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

async function walkDirectory(walk: Walk, at: { dirReal: string; dirRel: string; ancestors: string[] }): Promise<void> {
  const entries = await readdir(at.dirReal);
  for (const name of entries.sort()) {
    if (name.startsWith(".")) continue;
    const rel = at.dirRel === "" ? name : `${at.dirRel}/${name}`;
    const entry = await resolveEntry(walk, { abs: path.join(at.dirReal, name), rel, name });
    if (entry === undefined) continue;
    if (entry.kind === "dir") {
      if (at.ancestors.includes(entry.real)) {
        throw new RenderError(`${rel}: symlink loop (points back to a parent directory); remove the cycle`, {
          code: "SymlinkLoop",
          data: { file: rel },
        });
      }
      await walkDirectory(walk, { dirReal: entry.real, dirRel: rel, ancestors: [...at.ancestors, entry.real] });
    } else {
      addFile(walk, { rel, real: entry.real, size: entry.size });
    }
  }
}

/** Classifies one directory entry, following symlinks safely; undefined when it is not rendered. */
async function resolveEntry(
  walk: Walk,
  entry: { abs: string; rel: string; name: string },
): Promise<{ kind: "dir" | "file"; real: string; size: number } | undefined> {
  const link = await lstat(entry.abs);
  let real = entry.abs;
  let info = link;
  if (link.isSymbolicLink()) {
    try {
      real = await realpath(entry.abs);
    } catch (err) {
      // A dangling link is harmless unless it claims to be a manifest.
      if (isMissingPath(err) && !isManifestName(entry.name)) return undefined;
      throw realpathFailure(err, entry.rel);
    }
    info = await stat(real);
  }
  const isDir = info.isDirectory();
  if (isDir ? !walk.recurse : !isManifestName(entry.name)) return undefined;
  if (!isInsideRoot(walk.rootReal, real)) throw symlinkEscape(entry.rel);
  if (isDir) return { kind: "dir", real, size: 0 };
  if (!info.isFile()) {
    throw new RenderError(`${entry.rel}: not a regular file (device, socket or pipe); only files are rendered`, {
      code: "UnsupportedFile",
      data: { file: entry.rel },
    });
  }
  return { kind: "file", real, size: info.size };
}

function addFile(walk: Walk, file: ManifestFile): void {
  const { limits } = walk;
  if (file.size > limits.maxFileBytes) {
    throw new RenderError(
      `${file.rel}: file is ${file.size} bytes, over the ${limits.maxFileBytes}-byte limit; split it into smaller files`,
      { code: "FileTooLarge", data: { file: file.rel, size: file.size, limit: limits.maxFileBytes } },
    );
  }
  walk.totalBytes += file.size;
  walk.files.push(file);
  if (walk.files.length > limits.maxFiles || walk.totalBytes > limits.maxTotalBytes) {
    throw new RenderError(
      `manifests exceed the render limits (${limits.maxFiles} files, ${limits.maxTotalBytes} bytes) at ${file.rel}; point the Application at a smaller directory`,
      { code: "RepoTooLarge", data: { file: file.rel, files: walk.files.length, bytes: walk.totalBytes } },
    );
  }
}
