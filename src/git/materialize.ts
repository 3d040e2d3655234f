/**
 * Writes a commit's full tree from the bare cache into a directory: files
 * with their executable bit, symlinks as symlinks (mode 120000) so the render
 * layer can check they stay inside the repository, submodules as empty
 * directories. Loaded natively inside the checkout worker, so it imports
 * values only from sibling modules that import nothing themselves, by their
 * `.ts` name (rewritten to `.js` on build).
 */
import * as fsp from "node:fs/promises";
import { join } from "node:path";
import git from "isomorphic-git";
import type { TreeEntry } from "isomorphic-git";
import { answeringProbe } from "./probe-fs.ts";

/** File system calls in flight at once; enough to overlap disk and inflate work without flooding. */
const PARALLEL = 16;

/** A tree already on disk whose unchanged files can be hard-linked instead of inflated and written again. */
export interface ReusableTree {
  /** The directory holding commit `sha`'s tree. */
  dir: string;
  sha: string;
}

/**
 * Writes the tree of commit `sha` into `dir` (which must not exist yet);
 * returns the number of files and how many of them were linked from `reuse`.
 * Worktrees are never written after they are published, so a file whose
 * blob (and mode) is unchanged since `reuse` is a hard link to it: the next
 * commit of a big repository costs its changes, not its size. File system
 * calls overlap (PARALLEL at once): on a busy disk each create takes
 * hundreds of microseconds, and one after another they would dominate.
 */
export async function materializeTree(args: { gitdir: string; sha: string; dir: string; cache: object; reuse?: ReusableTree }): Promise<{
  files: number;
  linked: number;
}> {
  const { gitdir, cache } = args;
  const gfs = snapshotFs();
  const oldRoot = args.reuse ? await rootTree(args.reuse.sha).catch(() => undefined) : undefined;
  const blobs: Array<{ entry: TreeEntry; path: string; old?: string }> = [];
  const reading = limiter(PARALLEL);
  await io.mkdir(args.dir);
  await collect(await rootTree(args.sha), args.dir, oldRoot && args.reuse ? { oid: oldRoot, dir: args.reuse.dir } : undefined);
  let next = 0;
  let linked = 0;
  const worker = async (): Promise<void> => {
    while (next < blobs.length) {
      const { entry, path, old } = blobs[next++]!;
      if (old && (await io.link(old, path))) {
        linked++;
        continue;
      }
      const { blob } = await git.readBlob({ fs: gfs, gitdir, oid: entry.oid, cache });
      if (entry.mode === "120000") await io.symlink(Buffer.from(blob).toString("utf8"), path);
      else await io.writeFile(path, blob, entry.mode === "100755" ? 0o755 : 0o644);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { files: blobs.length, linked };

  async function rootTree(sha: string): Promise<string> {
    return (await git.readCommit({ fs: gfs, gitdir, oid: sha, cache })).commit.tree;
  }

  /** Entries of a tree by name, or none when it cannot be read. */
  async function entries(oid: string): Promise<TreeEntry[]> {
    return (await git.readTree({ fs: gfs, gitdir, oid, cache })).tree;
  }

  /**
   * Walks a tree, making its directories and listing its files. Subtrees are
   * walked concurrently: each read is a few small asynchronous steps, and
   * one after another they would leave the CPU idle most of the time.
   */
  async function collect(treeOid: string, dir: string, old: { oid: string; dir: string } | undefined): Promise<void> {
    const [tree, previous] = await reading.run(() => Promise.all([entries(treeOid), old ? entries(old.oid).catch(() => [] as TreeEntry[]) : undefined]));
    const before = previous ? new Map(previous.map((e) => [e.path, e])) : undefined;
    const subtrees: Promise<void>[] = [];
    for (const entry of tree) {
      assertSafeName(entry.path);
      const path = join(dir, entry.path);
      const was = before?.get(entry.path);
      const same = was && was.type === entry.type && was.mode === entry.mode ? join(old!.dir, entry.path) : undefined;
      if (entry.type === "tree") {
        await io.mkdir(path);
        subtrees.push(collect(entry.oid, path, same && was ? { oid: was.oid, dir: same } : undefined));
      } else if (entry.type === "commit") {
        await io.mkdir(path); // submodule: not fetched, left empty like `git clone` without --recursive
      } else {
        blobs.push({ entry, path, ...(same && was?.oid === entry.oid && entry.mode !== "120000" ? { old: same } : {}) });
      }
    }
    await Promise.all(subtrees);
  }
}

/** Runs at most `limit` reads at once (no imports from sibling modules here, so not the git/ Semaphore). */
function limiter(limit: number): { run<T>(fn: () => Promise<T>): Promise<T> } {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(fn) {
      if (active >= limit) await new Promise<void>((r) => waiting.push(r));
      else active++;
      try {
        return await fn();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
  };
}

/** The file system calls of materializeTree; `link` answers false when it could not link (the old tree may be gone). */
const io = {
  mkdir: async (path: string): Promise<void> => void (await fsp.mkdir(path)),
  writeFile: (path: string, data: Uint8Array, mode: number): Promise<void> => fsp.writeFile(path, data, { mode }),
  symlink: (target: string, path: string): Promise<void> => fsp.symlink(target, path),
  link: (existing: string, path: string): Promise<boolean> => fsp.link(existing, path).then(() => true, () => false),
};

/**
 * A read-only view of the cache for one materialization. isomorphic-git
 * looks for every object loose before it searches the packs, and lists the
 * pack directory each time; for thousands of objects those failed opens and
 * listings cost more than inflating. Listings are memoized and loose misses
 * answered without a system call (nothing writes the cache meanwhile), and
 * so are repeated stats. It also probes the file system on every call by calling `readFile()` without
 * arguments, which is answered without building an error.
 */
function snapshotFs(): { promises: typeof fsp } {
  const listings = new Map<string, Promise<string[]>>();
  const list = (dir: string): Promise<string[]> => {
    let names = listings.get(dir);
    if (!names) listings.set(dir, (names = fsp.readdir(dir).catch(() => [])));
    return names;
  };
  const looseObject = /^(.*[\\/]objects)[\\/]([0-9a-f]{2})[\\/][0-9a-f]{38}$/;
  const read = fsp.readFile as (path: string, options?: unknown) => Promise<Buffer | string>;
  const readFile = answeringProbe(async (path: string, options?: unknown): Promise<Buffer | string> => {
    const loose = looseObject.exec(path);
    if (loose && !(await list(loose[1]!)).includes(loose[2]!)) {
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    }
    return read(path, options);
  });
  const readdir = async (path: string): Promise<string[]> => [...(await list(path))];
  // isomorphic-git stats the gitdir on every call (is it a gitlink file?)
  const stats = new Map<string, ReturnType<typeof fsp.stat>>();
  const stat = (path: string) => {
    let s = stats.get(path);
    if (!s) stats.set(path, (s = fsp.stat(path)));
    return s;
  };
  return { promises: { ...fsp, readFile, readdir, stat } as typeof fsp };
}

/** A tree entry name that could escape the directory (a hostile server) is refused. */
function assertSafeName(name: string): void {
  if (!name || name === "." || name === ".." || name === ".git" || /[/\\\0]/.test(name)) {
    throw new Error(`refusing unsafe tree entry name ${JSON.stringify(name)}`);
  }
}
