/**
 * Makes sure one commit is in a repository's bare cache, fetching as little
 * as possible. Loaded natively inside the checkout worker, so it imports
 * values only from sibling modules that import nothing themselves, by their
 * `.ts` name (rewritten to `.js` on build); the HTTP client is passed in.
 */
import * as fsp from "node:fs/promises";
import { join } from "node:path";
import git from "isomorphic-git";
import type { HttpClient } from "isomorphic-git";
import { answeringProbe } from "./probe-fs.ts";

/**
 * The file system isomorphic-git writes the cache through: every file is
 * written to a temporary name and renamed, so a crash or a terminated worker
 * never leaves half a pack index or ref behind.
 */
export const atomicFs = {
  promises: {
    ...fsp,
    readFile: answeringProbe(fsp.readFile),
    async writeFile(path: string, data: string | Uint8Array, options?: Parameters<typeof fsp.writeFile>[2]) {
      const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      await fsp.writeFile(tmp, data, options);
      await fsp.rename(tmp, path);
    },
  },
};

/** Local ref naming the last commit fetched; offered as a "have" so fetches send only what changed. */
const LAST_REF = "refs/plumb/last";
/** `deepen` value meaning "all history" (what `git fetch --unshallow` sends). */
const FULL_DEPTH = 2147483647;

/** Arguments of ensureCommit. */
export interface EnsureCommitArgs {
  gitdir: string;
  /** Credential-free remote URL. */
  url: string;
  sha: string;
  /** Remote ref expected to point at `sha` (from resolveRevision), tried first. */
  ref?: string;
  depth: number;
  http: HttpClient;
  /** isomorphic-git object cache, shared with a following materialize. */
  cache: object;
}

/**
 * Fetches `sha` into the bare cache unless it is already there: first the
 * hinted ref (shallow), then the SHA itself (servers that allow any reachable
 * SHA in "want"), then the full history. Throws `{ code: "RevisionNotFound" }`
 * when the server does not have the commit. Returns how many fetches it took.
 */
export async function ensureCommit(args: EnsureCommitArgs): Promise<{ fetches: number }> {
  await initCache(args.gitdir, args.url);
  if (await hasCommit(args)) return { fetches: 0 };
  const attempts: Array<{ remoteRef?: string; depth: number; singleBranch: boolean }> = [];
  if (args.ref) attempts.push({ remoteRef: args.ref, depth: args.depth, singleBranch: true });
  attempts.push({ remoteRef: args.sha, depth: args.depth, singleBranch: true });
  attempts.push(
    args.ref
      ? { remoteRef: args.ref, depth: FULL_DEPTH, singleBranch: true }
      : { remoteRef: "HEAD", depth: FULL_DEPTH, singleBranch: false },
  );
  let fetches = 0;
  for (const [i, attempt] of attempts.entries()) {
    try {
      fetches++;
      await git.fetch({
        fs: atomicFs,
        http: args.http,
        gitdir: args.gitdir,
        url: args.url,
        ref: LAST_REF,
        ...attempt,
        tags: false,
        cache: args.cache,
      });
    } catch (err) {
      // A refusal of this way of asking (say, a SHA "want") moves on to the
      // next; a broken connection, or the last way failing, is the answer.
      if (isTransportFailure(err) || i === attempts.length - 1) throw err;
      continue;
    }
    if (await hasCommit(args)) {
      await git.writeRef({ fs: atomicFs, gitdir: args.gitdir, ref: LAST_REF, value: args.sha, force: true });
      return { fetches };
    }
  }
  throw Object.assign(new Error(`commit ${args.sha} is not on the server (not reachable from any branch)`), {
    code: "RevisionNotFound",
  });
}

/** Whether the commit object is already in the cache. */
export async function hasCommit(args: { gitdir: string; sha: string; cache: object }): Promise<boolean> {
  try {
    await git.readCommit({ fs: atomicFs, gitdir: args.gitdir, oid: args.sha, cache: args.cache });
    return true;
  } catch {
    return false;
  }
}

/** Creates the bare cache with an "origin" remote (its refspec is needed by fetch). */
async function initCache(gitdir: string, url: string): Promise<void> {
  try {
    await fsp.access(join(gitdir, "config"));
    return;
  } catch {
    // not there yet
  }
  await fsp.mkdir(gitdir, { recursive: true });
  await git.init({ fs: atomicFs, gitdir, bare: true });
  await git.addRemote({ fs: atomicFs, gitdir, remote: "origin", url, force: true });
}

/** HTTP status errors, network errors and aborts end the attempt chain; protocol refusals do not. */
function isTransportFailure(err: unknown): boolean {
  const e = err as { code?: string; name?: string; data?: { statusCode?: number } } | undefined;
  if (!e) return false;
  if (e.name === "AbortError" || e.name === "TimeoutError") return true;
  if (typeof e.data?.statusCode === "number") return true;
  return typeof e.code === "string" && /^E[A-Z]+$/.test(e.code);
}
