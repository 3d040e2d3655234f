import { createHash } from "node:crypto";
import { basename } from "node:path";
import { authHeaders, secretsOf } from "./auth.js";
import { BoundedMap } from "./bounded-map.js";
import { repoCacheDir } from "./repo-cache.js";
import type { RepoCredentials } from "./types.js";
import { normalizeRepoURL, parseRepoURL } from "./url.js";

/** A repository as the Git source works with it: credential-free URL, cache key, auth. */
export interface RepoTarget {
  url: string;
  /** The repository's identity in every cache (normalized URL, no credentials). */
  key: string;
  gitdir: string;
  /** Short id of the repository, part of its worktree names. */
  id: string;
  /** Repository and a digest of its credentials: whose access the server has proven. */
  access: string;
  headers: Record<string, string>;
  secrets: string[];
}

/**
 * The target of a request: credentials in the URL and from the app's Secret
 * merged (the Secret wins), cached under the URL without them, and an
 * `access` key that differs for every distinct set of credentials.
 */
export function repoTarget(cacheDir: string, repoURL: string, credentials: RepoCredentials | undefined): RepoTarget {
  const parsed = parseRepoURL(repoURL);
  const creds = { ...parsed.credentials, ...credentials };
  const gitdir = repoCacheDir(cacheDir, parsed.url);
  const headers = authHeaders(creds);
  const auth = createHash("sha256").update(headers.Authorization ?? "").digest("hex");
  const key = normalizeRepoURL(parsed.url);
  return { url: parsed.url, key, gitdir, id: basename(gitdir).slice(0, 12), access: `${key}\0${auth}`, headers, secrets: secretsOf(creds) };
}

/**
 * Repository+credential pairs the server has accepted in this process. The
 * caches (bare repositories, worktrees, tree oids) are shared by every app of
 * a repository, so a caller whose credentials were never checked must prove
 * access (one ref listing) before it is served from them; otherwise an app
 * without access could read what another app's credentials fetched.
 */
export class AccessLedger {
  #proven: BoundedMap<string, true>;

  constructor(limit = 4096) {
    this.#proven = new BoundedMap(limit);
  }

  /** Notes that the server accepted these credentials for this repository (a listing or fetch succeeded). */
  accepted(t: Pick<RepoTarget, "access">): void {
    this.#proven.set(t.access, true);
  }

  /** Whether a caller with these credentials may be served from the shared caches without asking the server. */
  proven(t: Pick<RepoTarget, "access">): boolean {
    return this.#proven.has(t.access);
  }

  /** Makes sure access is proven, by `ask` (a ref listing, which calls `accepted` on success) when it is not yet. */
  async prove(t: Pick<RepoTarget, "access">, ask: () => Promise<unknown>): Promise<void> {
    if (!this.proven(t)) await ask();
  }
}
