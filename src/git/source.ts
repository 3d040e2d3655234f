import { availableParallelism } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../log.js";
import { AccessLedger, repoTarget, type RepoTarget as Target } from "./access.js";
import { BoundedMap } from "./bounded-map.js";
import { toGitError } from "./classify.js";
import { hasCommit } from "./fetch-commit.js";
import { createHttpClient, type HttpCounters } from "./http.js";
import { KeyedLock } from "./keyed-lock.js";
import { compactRepoCache } from "./repo-cache.js";
import { resolveOnServer } from "./resolve.js";
import { runCheckoutTask } from "./run-task.js";
import { Semaphore } from "./semaphore.js";
import { lookupTreeOid, treeHasSymlinks } from "./tree-oid.js";
import { SharedAnswers } from "./shared-answers.js";
import type { GitSource, GitSourceOptions, GitStats, RepoCredentials } from "./types.js";
import { WorkerPool } from "./worker-pool.js";
import { WorktreeStore } from "./worktrees.js";

const FULL_SHA = /^[0-9a-f]{40}$/i;

/**
 * Creates Plumb's Git source: cheap revision resolution over ls-refs, one
 * shallow bare cache per repository (guarded by a per-repository lock),
 * content-addressed worktrees, fetches in a worker thread, and GitErrors with
 * stable codes whose messages never carry credentials.
 */
export function createGitSource(options: GitSourceOptions): GitSource {
  // each fetch holds a worker thread, with its own heap and malloc arena (tens of MB of RSS):
  // beyond one per spare core that is memory without speed
  const opts = { timeoutMs: 60_000, depth: 1, keepWorktrees: 20, useWorker: true, maxConcurrentFetches: Math.max(1, Math.min(4, availableParallelism() - 1)), ...options };
  const log = opts.logger ?? silentLogger();
  const locks = new KeyedLock();
  const slots = new Semaphore(opts.maxConcurrentFetches);
  const workers = new WorkerPool();
  const worktrees = new WorktreeStore(join(opts.cacheDir, "worktrees"), opts.keepWorktrees);
  const totals: GitStats = { requests: 0, fetches: 0, bytes: 0 };
  const counters: HttpCounters = { onRequest: () => totals.requests++, onBytes: (n) => (totals.bytes += n) };
  /** `repo\0revision` and `repo\0sha` → the ref that resolved them, to fetch by ref and re-resolve in one call. */
  const refHints = new BoundedMap<string, string>(4096);
  /** `repo\0sha\0path` → tree oid; immutable, so safe to remember. */
  const treeOids = new BoundedMap<string, string | undefined>(16384);
  /** `repo\0tree oid` → whether a symlink is somewhere below; immutable too. */
  const linkedTrees = new BoundedMap<string, boolean>(16384);
  /**
   * isomorphic-git's object cache per bare cache (parsed pack indexes), kept
   * between calls: a hundred apps of one repository look up their paths in
   * the same packs. Read under the repository's lock; dropped after a fetch.
   */
  const objectCaches = new BoundedMap<string, object>(16); // each may hold its packs in memory
  const objectCache = (t: Target): object => {
    let cache = objectCaches.get(t.gitdir);
    if (!cache) objectCaches.set(t.gitdir, (cache = {}));
    return cache;
  };
  /** Ref listings per repository+credentials+revision, shared by callers content with the same age. */
  const answers = new SharedAnswers();
  /** Who the server accepted: only they are served from the shared caches. */
  const access = new AccessLedger();
  const proveAccess = (t: Target): Promise<void> => access.prove(t, () => resolve(t, "HEAD"));
  const target = (repoURL: string, credentials: RepoCredentials | undefined): Target => repoTarget(opts.cacheDir, repoURL, credentials);

  const report = (kind: "resolve" | "fetch", repoURL: string, started: number, error?: string): void =>
    opts.onOperation?.({ kind, repoURL, durationMs: performance.now() - started, ...(error ? { error } : {}) });

  async function resolve(t: Target, revision: string): Promise<string> {
    const started = performance.now();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
    const deadline = new Promise<never>((_, reject) =>
      abort.signal.addEventListener("abort", () => reject(new Error("deadline"))),
    );
    try {
      const http = createHttpClient({ headers: t.headers, signal: abort.signal, counters });
      const preferRef = refHints.get(`${t.key}\0${revision}`);
      const found = await Promise.race([resolveOnServer({ url: t.url, revision, http, preferRef }), deadline]);
      access.accepted(t);
      if (found.ref) {
        refHints.set(`${t.key}\0${revision}`, found.ref);
        refHints.set(`${t.key}\0${found.sha}`, found.ref);
      }
      log.debug({ repo: t.key, revision, sha: found.sha, durationMs: performance.now() - started }, "resolved revision");
      report("resolve", t.key, started);
      return found.sha;
    } catch (err) {
      const action = `resolving revision "${revision}" of`;
      const e = toGitError(err, { action, url: t.url, secrets: t.secrets, timedOut: abort.signal.aborted, timeoutMs: opts.timeoutMs });
      log.warn({ repo: t.key, revision, code: e.code, error: e.message }, "resolving revision failed");
      report("resolve", t.key, started, e.code);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Fetches `sha` into the repository's cache (caller holds its lock), optionally writing its tree (reusing files of another). */
  function fetch(t: Target, sha: string, materializeTo?: string, reuse?: { dir: string; sha: string }): Promise<void> {
    return slots.run(() => fetchNow(t, sha, materializeTo, reuse));
  }

  async function fetchNow(t: Target, sha: string, materializeTo?: string, reuse?: { dir: string; sha: string }): Promise<void> {
    await compactRepoCache(t.gitdir);
    const started = performance.now();
    try {
      const task = { gitdir: t.gitdir, url: t.url, headers: t.headers, sha, depth: opts.depth };
      const ref = refHints.get(`${t.key}\0${sha}`);
      const result = await runCheckoutTask(
        { ...task, ...(ref ? { ref } : {}), ...(materializeTo ? { materializeTo } : {}), ...(reuse ? { reuse } : {}) },
        { useWorker: opts.useWorker, timeoutMs: opts.timeoutMs, counters, pool: workers },
      );
      totals.fetches += result.fetches;
      if (result.fetches > 0) access.accepted(t);
      const durationMs = Math.round(performance.now() - started);
      log.info({ repo: t.key, revision: sha, fetches: result.fetches, files: result.files, linked: result.linked, durationMs }, "checked out commit");
      report("fetch", t.key, started);
    } catch (err) {
      const timedOut = (err as { name?: string } | undefined)?.name === "TimeoutError";
      const action = `fetching commit ${sha.slice(0, 12)} from`;
      const e = toGitError(err, { action, url: t.url, secrets: t.secrets, timedOut, timeoutMs: opts.timeoutMs });
      log.warn({ repo: t.key, revision: sha, code: e.code, error: e.message }, "fetch failed");
      report("fetch", t.key, started, e.code);
      throw e;
    }
  }

  /** The tree oid at `path` of a commit already in the cache, read without the lock; undefined when it is not there (or the read failed). */
  async function lookupUnlocked(t: Target, sha: string, path: string): Promise<{ oid: string | undefined } | undefined> {
    try {
      if (!(await hasCommit({ gitdir: t.gitdir, sha, cache: objectCache(t) }))) return undefined;
      return { oid: await lookupTreeOid({ gitdir: t.gitdir, sha, path, cache: objectCache(t) }) };
    } catch {
      return undefined;
    }
  }

  const source: GitSource = {
    async resolveRevision(req) {
      const t = target(req.repoURL, req.credentials);
      const revision = req.revision?.trim() || "HEAD";
      return answers.get(`${t.access}\0${revision}`, req.since, () => resolve(t, revision));
    },

    async checkout(req) {
      const t = target(req.repoURL, req.credentials);
      const sha = FULL_SHA.test(req.revision) ? req.revision.toLowerCase() : await source.resolveRevision(req);
      const name = `${sha}-${t.id}`;
      const cached = await worktrees.find(name);
      if (cached) {
        await proveAccess(t);
        return { dir: cached };
      }
      return locks.run(t.key, async () => {
        const raced = await worktrees.find(name);
        if (raced) {
          await proveAccess(t);
          return { dir: raced };
        }
        const tmp = await worktrees.tempPath(name);
        const previous = await worktrees.latest(`-${t.id}`);
        const reuse = previous ? { dir: previous.dir, sha: previous.name.slice(0, previous.name.length - t.id.length - 1) } : undefined;
        try {
          await fetch(t, sha, tmp, reuse);
          await proveAccess(t);
          return { dir: await worktrees.publish(tmp, name) };
        } catch (err) {
          await worktrees.discard(tmp);
          throw err;
        }
      });
    },

    async treeOid(req) {
      const t = target(req.repoURL, req.credentials);
      const sha = req.sha.toLowerCase();
      const memo = `${t.key}\0${sha}\0${req.path.split("/").filter((p) => p && p !== ".").join("/")}`;
      if (treeOids.has(memo)) {
        await proveAccess(t);
        return treeOids.get(memo);
      }
      // A commit already cached is only read: a hundred apps of one repository
      // look up their paths at once, without queueing on the lock. Only a
      // fetch (or a read that met one compacting the cache) takes the lock.
      const cached = await lookupUnlocked(t, sha, req.path);
      if (cached) {
        await proveAccess(t);
        treeOids.set(memo, cached.oid);
        return cached.oid;
      }
      return locks.run(t.key, async () => {
        if (!(await hasCommit({ gitdir: t.gitdir, sha, cache: objectCache(t) }))) {
          await fetch(t, sha);
          objectCaches.delete(t.gitdir); // new packs (or a compacted cache): index them afresh
        }
        await proveAccess(t);
        const oid = await lookupTreeOid({ gitdir: t.gitdir, sha, path: req.path, cache: objectCache(t) });
        treeOids.set(memo, oid);
        return oid;
      });
    },

    async symlinksIn(req) {
      const t = target(req.repoURL, req.credentials);
      const oid = await source.treeOid(req);
      if (oid === undefined) return false;
      const memo = `${t.key}\0${oid}`;
      const known = linkedTrees.get(memo);
      if (known !== undefined) return known;
      let linked: boolean;
      try {
        linked = await treeHasSymlinks({ gitdir: t.gitdir, oid, cache: objectCache(t) });
      } catch (err) {
        if ((err as { code?: string }).code !== "ObjectTypeError") return true; // unsure: say yes, remember nothing
        linked = false; // a file, not a directory
      }
      linkedTrees.set(memo, linked);
      return linked;
    },

    stats: () => ({ ...totals }),
  };
  return source;
}
