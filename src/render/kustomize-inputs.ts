import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { RenderError } from "../errors.js";
import { isMap } from "../model/index.js";
import { isInsideRoot, isMissingPath, symlinkEscape } from "./path-safety.js";
import { kustomizationFileIn } from "./source-kind.js";

/** Fields of a kustomization that name other files or directories (strings or `{path}` entries). */
const PATH_LISTS = ["resources", "components", "bases", "crds", "configurations", "transformers", "generators", "validators", "patchesStrategicMerge"] as const;
const PATH_OBJECT_LISTS = ["patches", "patchesJson6902", "replacements"] as const;
const GENERATORS = ["configMapGenerator", "secretGenerator"] as const;

/**
 * Whether a kustomization entry names something remote: a URL, a Git
 * address, or kustomize's `host.tld/org/repo//dir?ref=` shorthand.
 */
export function isRemoteReference(entry: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^[a-z][a-z0-9+.-]*::/i.test(entry)) return true;
  if (/^[^/@\s]+@[^/:\s]+:/.test(entry)) return true; // git@host:org/repo
  if (/[?&](ref|version|timeout|submodules)=/.test(entry)) return true;
  const first = entry.split("/")[0] ?? "";
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?$/i.test(first) && entry.includes("/");
}

interface Walk {
  rootReal: string;
  dirs: Set<string>;
  /** Every entry seen while checking symlinks, bounded so a huge tree fails fast. */
  entries: number;
  maxEntries: number;
}

/**
 * Every kustomization directory `kustomize build` of `startRel` will read
 * (the overlay and the bases and components it reaches), as root-relative
 * posix paths. Refuses remote bases (RemoteBaseRefused), references that
 * leave the repository (PathEscape) and symlinks out of it (SymlinkEscape)
 * before kustomize runs. Entries that do not exist are left for kustomize
 * to report.
 */
export async function kustomizeInputs(opts: { rootReal: string; startRel: string; maxEntries?: number }): Promise<string[]> {
  const walk: Walk = { rootReal: opts.rootReal, dirs: new Set(), entries: 0, maxEntries: opts.maxEntries ?? 20_000 };
  await visitKustomization(walk, opts.startRel === "" ? "." : opts.startRel);
  return [...walk.dirs].sort();
}

async function visitKustomization(walk: Walk, dirRel: string): Promise<void> {
  if (walk.dirs.has(dirRel)) return;
  walk.dirs.add(dirRel);
  const dirAbs = path.join(walk.rootReal, dirRel);
  await assertLinksInside(walk, dirAbs, dirRel);
  const name = await kustomizationFileIn(dirAbs);
  if (!name) return;
  const shown = path.posix.join(dirRel, name);
  let doc: unknown;
  try {
    doc = parse(await readFile(path.join(dirAbs, name), "utf8"));
  } catch {
    return; // kustomize reports the syntax error itself, with its own words
  }
  if (!isMap(doc)) return;
  for (const entry of referencedPaths(doc)) {
    const target = entry.keyed ? entry.value.slice(entry.value.indexOf("=") + 1) : entry.value;
    if (isRemoteReference(target)) {
      throw new RenderError(`${shown}: ${entry.field} "${entry.value}" is remote; Plumb renders only what is in the repository (vendor the base into it)`, {
        code: "RemoteBaseRefused",
        data: { file: shown, field: entry.field, reference: entry.value },
      });
    }
    const rel = path.posix.normalize(path.posix.join(dirRel, target));
    if (path.posix.isAbsolute(target) || rel === ".." || rel.startsWith("../")) {
      throw new RenderError(`${shown}: ${entry.field} "${entry.value}" is outside the repository`, {
        code: "PathEscape",
        data: { file: shown, field: entry.field, reference: entry.value },
      });
    }
    let real: string;
    try {
      real = await realpath(path.join(walk.rootReal, rel));
    } catch (err) {
      if (isMissingPath(err)) continue;
      throw err;
    }
    if (!isInsideRoot(walk.rootReal, real)) throw symlinkEscape(`${shown}: ${entry.field} ${entry.value}`);
    if ((await stat(real)).isDirectory()) await visitKustomization(walk, path.relative(walk.rootReal, real) || ".");
  }
}

interface Reference {
  field: string;
  value: string;
  /** `key=path` syntax (generator files): the path is after the first "=". */
  keyed: boolean;
}

function referencedPaths(doc: Record<string, unknown>): Reference[] {
  const out: Reference[] = [];
  const strings = (field: string, value: unknown, keyed = false) => {
    if (typeof value === "string") out.push({ field, value, keyed: keyed && value.includes("=") });
    else if (Array.isArray(value)) for (const v of value) if (typeof v === "string") out.push({ field, value: v, keyed: keyed && v.includes("=") });
  };
  for (const field of PATH_LISTS) {
    // inline patches are YAML text, not paths
    const list = doc[field];
    if (Array.isArray(list)) for (const v of list) if (typeof v === "string" && !v.includes("\n")) strings(field, v);
  }
  for (const field of PATH_OBJECT_LISTS) {
    const list = doc[field];
    if (Array.isArray(list)) for (const item of list) if (isMap(item)) strings(`${field}.path`, item.path);
  }
  for (const field of GENERATORS) {
    const list = doc[field];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (!isMap(item)) continue;
      strings(`${field}.files`, item.files, true);
      strings(`${field}.envs`, item.envs);
      strings(`${field}.env`, item.env);
    }
  }
  if (isMap(doc.openapi)) strings("openapi.path", doc.openapi.path);
  return out;
}

/**
 * Refuses a directory (a kustomization, a chart) holding a symlink anywhere
 * below it that resolves outside the repository: the tool would follow it.
 */
export async function assertLinksInsideRoot(opts: { rootReal: string; dirRel: string; maxEntries?: number }): Promise<void> {
  const walk: Walk = { rootReal: opts.rootReal, dirs: new Set(), entries: 0, maxEntries: opts.maxEntries ?? 20_000 };
  await assertLinksInside(walk, path.join(opts.rootReal, opts.dirRel), opts.dirRel || ".");
}

async function assertLinksInside(walk: Walk, dirAbs: string, dirRel: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dirAbs);
  } catch (err) {
    if (isMissingPath(err)) return;
    throw err;
  }
  for (const name of names) {
    if (name === ".git") continue;
    if (++walk.entries > walk.maxEntries) {
      throw new RenderError(`${dirRel}: more than ${walk.maxEntries} files in the kustomization directories; point the Application at a smaller directory`, { code: "RepoTooLarge", data: { file: dirRel } });
    }
    const abs = path.join(dirAbs, name);
    const rel = path.posix.join(dirRel, name);
    const info = await lstat(abs);
    if (info.isSymbolicLink()) {
      let real: string;
      try {
        real = await realpath(abs);
      } catch (err) {
        if (isMissingPath(err)) continue;
        throw err;
      }
      if (!isInsideRoot(walk.rootReal, real)) throw symlinkEscape(rel);
    } else if (info.isDirectory()) {
      await assertLinksInside(walk, abs, rel);
    }
  }
}
