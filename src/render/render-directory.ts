import { readFile } from "node:fs/promises";
import { decodeManifestText } from "./decode.js";
import { renderLimits, type RenderLimits } from "./limits.js";
import { documentObjects } from "./manifest-objects.js";
import { listManifestFiles } from "./manifest-files.js";
import { parseManifestDocuments } from "./parse-documents.js";
import { renderErrorAt } from "./render-error.js";
import type { RenderedObject } from "./rendered-object.js";
import { assertUniqueObjects } from "./unique-objects.js";

/** Options of renderDirectory. */
export interface RenderDirectoryOptions {
  /** The repository checkout (or the DIR given to `plumb render`); nothing outside it is read. */
  root: string;
  /** Directory inside root to render; default ".". */
  path?: string;
  /** Descend into subdirectories; default true. */
  recurse?: boolean;
  limits?: Partial<RenderLimits>;
}

/**
 * Renders the desired objects of a directory: every `*.yaml`, `*.yml` and
 * `*.json` file in path order, each document in file order, Lists unpacked,
 * every object validated and unique. An empty directory renders to []; the
 * caller decides whether that is an error. Throws RenderError with a stable
 * code and the file and line.
 */
export async function renderDirectory(opts: RenderDirectoryOptions): Promise<RenderedObject[]> {
  const limits = renderLimits(opts.limits);
  const files = await listManifestFiles({
    root: opts.root,
    path: opts.path ?? ".",
    recurse: opts.recurse ?? true,
    limits,
  });
  const objects: RenderedObject[] = [];
  for (const file of files) {
    const bytes = await readFile(file.real);
    // The file may have grown since it was listed.
    if (bytes.length > limits.maxFileBytes) {
      throw renderErrorAt({ file: file.rel }, { code: "FileTooLarge", message: `file is over the ${limits.maxFileBytes}-byte limit` });
    }
    const text = decodeManifestText(bytes, file.rel);
    for (const doc of parseManifestDocuments({ file: file.rel, text, limits })) {
      objects.push(...documentObjects({ file: file.rel, doc }));
    }
  }
  assertUniqueObjects(objects);
  return objects;
}
