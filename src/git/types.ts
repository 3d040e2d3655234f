import type { Logger } from "../log.js";

/**
 * Credentials for one repository, from the Application's `secretRef`:
 * username/password become HTTP basic auth, bearerToken an
 * `Authorization: Bearer` header. Never logged, never in error messages.
 */
export interface RepoCredentials {
  username?: string;
  password?: string;
  bearerToken?: string;
}

/** Which repository and revision to resolve. */
export interface ResolveRequest {
  repoURL: string;
  /** Branch, tag, `HEAD` or a full 40-hex commit SHA; default HEAD. */
  revision?: string;
  credentials?: RepoCredentials;
  /**
   * An answer the server gave to a request sent at or after this time (epoch
   * ms) is good enough and may be shared; default: now (ask the server,
   * or join a request sent this very moment).
   */
  since?: number;
}

/** Which commit of which repository to put on disk. */
export interface CheckoutRequest {
  repoURL: string;
  /** Full commit SHA, normally from resolveRevision. */
  revision: string;
  credentials?: RepoCredentials;
}

/** Which path of a commit to look up. */
export interface TreeOidRequest {
  repoURL: string;
  sha: string;
  /** Directory (or file) inside the repository; "" or "." is the root. */
  path: string;
  credentials?: RepoCredentials;
}

/** Counters for metrics and benchmarks. */
export interface GitStats {
  /** HTTP requests sent to Git servers. */
  requests: number;
  /** Pack fetches (upload-pack negotiations that download objects). */
  fetches: number;
  /** Response bytes received. */
  bytes: number;
}

/** One finished Git operation, for metrics (durations, failures). */
export interface GitOperationEvent {
  kind: "resolve" | "fetch";
  /** Normalized repository URL (no credentials). */
  repoURL: string;
  durationMs: number;
  /** GitError code when it failed. */
  error?: string;
}

/** Settings of a GitSource. */
export interface GitSourceOptions {
  /** Where bare caches (`repos/`) and worktrees (`worktrees/`) live. */
  cacheDir: string;
  /** Deadline for one resolve or one fetch+checkout, default 60 s. */
  timeoutMs?: number;
  logger?: Logger;
  /** Fetch depth, default 1 (shallow). */
  depth?: number;
  /** How many materialized worktrees to keep, default 20. */
  keepWorktrees?: number;
  /** Fetches running at once across all repositories, default one per CPU but one, 1–4; the rest wait their turn. */
  maxConcurrentFetches?: number;
  /** Run fetch and checkout in a worker thread (default) so the event loop stays responsive. */
  useWorker?: boolean;
  /** Called after every resolve and fetch, for metrics. */
  onOperation?: (event: GitOperationEvent) => void;
}

/**
 * Plumb's view of Git: resolve a revision cheaply, put a commit's tree on
 * disk, and tell whether a path changed between commits (by its tree oid).
 * All failures are GitErrors with stable codes.
 */
export interface GitSource {
  /** The full commit SHA a branch, tag, HEAD or SHA names on the server now. */
  resolveRevision(req: ResolveRequest): Promise<string>;
  /** Fetches the commit if needed and returns the directory holding its full tree. */
  checkout(req: CheckoutRequest): Promise<{ dir: string }>;
  /** The oid of the tree (or blob) at `path` in commit `sha`; undefined when the path is missing. */
  treeOid(req: TreeOidRequest): Promise<string | undefined>;
  /** Whether the tree at `path` holds a symlink anywhere below it (its content may then lie outside it). */
  symlinksIn(req: TreeOidRequest): Promise<boolean>;
  /** Counters since creation. */
  stats(): GitStats;
}
