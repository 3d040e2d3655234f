import * as fsp from "node:fs/promises";
import git from "isomorphic-git";
import { answeringProbe } from "./probe-fs.js";

/** node:fs for isomorphic-git, answering its per-call probe (readFile() without a path) without building a TypeError. */
const fs = { promises: { ...fsp, readFile: answeringProbe(fsp.readFile) } };

/**
 * The oid of the tree (or blob) at `path` in commit `sha`, read from the bare
 * cache; undefined when the path does not exist. Comparing it across commits
 * tells whether anything under an app's path changed.
 */
export async function lookupTreeOid(args: {
  gitdir: string;
  sha: string;
  path: string;
  cache: object;
}): Promise<string | undefined> {
  const { gitdir, cache } = args;
  const { commit } = await git.readCommit({ fs, gitdir, oid: args.sha, cache });
  let oid = commit.tree;
  let isTree = true;
  for (const part of args.path.split("/").filter((p) => p !== "" && p !== ".")) {
    if (!isTree || part === "..") return undefined;
    const { tree } = await git.readTree({ fs, gitdir, oid, cache });
    const entry = tree.find((e) => e.path === part);
    if (!entry) return undefined;
    oid = entry.oid;
    isTree = entry.type === "tree";
  }
  return oid;
}

/**
 * Whether the tree `oid` holds a symlink anywhere below it. A render follows
 * symlinks (within the repository), so a path with one can change without
 * its own tree oid changing.
 */
export async function treeHasSymlinks(args: { gitdir: string; oid: string; cache: object }): Promise<boolean> {
  const { gitdir, cache } = args;
  const { tree } = await git.readTree({ fs, gitdir, oid: args.oid, cache });
  for (const entry of tree) {
    if (entry.mode === "120000") return true;
    if (entry.type === "tree" && (await treeHasSymlinks({ gitdir, oid: entry.oid, cache }))) return true;
  }
  return false;
}
