import * as fs from "node:fs";
import git from "isomorphic-git";

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
