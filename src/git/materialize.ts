/**
 * Writes a commit's full tree from the bare cache into a directory: files
 * with their executable bit, symlinks as symlinks (mode 120000) so the render
 * layer can check they stay inside the repository, submodules as empty
 * directories. Loaded natively inside the checkout worker, so it imports no
 * values from sibling modules (types only).
 */
import * as fsp from "node:fs/promises";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import git from "isomorphic-git";
import type { TreeEntry } from "isomorphic-git";

/** Files written at once; enough to overlap disk and inflate work without flooding. */
const PARALLEL = 16;

/** Writes the tree of commit `sha` into `dir` (which must not exist yet); returns the number of files. */
export async function materializeTree(args: { gitdir: string; sha: string; dir: string; cache: object }): Promise<{
  files: number;
}> {
  const { gitdir, cache } = args;
  const fs = snapshotFs();
  const { commit } = await git.readCommit({ fs, gitdir, oid: args.sha, cache });
  const blobs: Array<{ entry: TreeEntry; path: string }> = [];
  await mkdir(args.dir, { recursive: false });
  await collect(commit.tree, args.dir);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < blobs.length) {
      const { entry, path } = blobs[next++]!;
      const { blob } = await git.readBlob({ fs, gitdir, oid: entry.oid, cache });
      if (entry.mode === "120000") await symlink(Buffer.from(blob).toString("utf8"), path);
      else await writeFile(path, blob, { mode: entry.mode === "100755" ? 0o755 : 0o644 });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { files: blobs.length };

  async function collect(treeOid: string, dir: string): Promise<void> {
    const { tree } = await git.readTree({ fs, gitdir, oid: treeOid, cache });
    for (const entry of tree) {
      assertSafeName(entry.path);
      const path = join(dir, entry.path);
      if (entry.type === "tree") {
        await mkdir(path);
        await collect(entry.oid, path);
      } else if (entry.type === "commit") {
        await mkdir(path); // submodule: not fetched, left empty like `git clone` without --recursive
      } else {
        blobs.push({ entry, path });
      }
    }
  }
}

/**
 * A read-only view of the cache for one materialization. isomorphic-git
 * looks for every object loose before it searches the packs, and lists the
 * pack directory each time; for thousands of objects those failed opens and
 * listings cost more than inflating. Listings are memoized and loose misses
 * answered without a system call (nothing writes the cache meanwhile).
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
  const readFile = async (path: string, options?: unknown): Promise<Buffer | string> => {
    const loose = looseObject.exec(path);
    if (loose && !(await list(loose[1]!)).includes(loose[2]!)) {
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    }
    return read(path, options);
  };
  const readdir = async (path: string): Promise<string[]> => [...(await list(path))];
  return { promises: { ...fsp, readFile, readdir } as typeof fsp };
}

/** A tree entry name that could escape the directory (a hostile server) is refused. */
function assertSafeName(name: string): void {
  if (!name || name === "." || name === ".." || name === ".git" || /[/\\\0]/.test(name)) {
    throw new Error(`refusing unsafe tree entry name ${JSON.stringify(name)}`);
  }
}
