import type { ErrorLike } from "./classify.js";

/** One fetch(+materialize) job for the bare cache of one repository. */
export interface CheckoutTask {
  /** The repository's bare cache. */
  gitdir: string;
  /** Credential-free remote URL. */
  url: string;
  /** Auth headers (kept in memory, never logged). */
  headers: Record<string, string>;
  sha: string;
  /** Remote ref that pointed at `sha` when it was resolved. */
  ref?: string;
  depth: number;
  /** When set, the commit's tree is written into this (new) directory. */
  materializeTo?: string;
  /** Another commit's tree on disk to hard-link unchanged files from. */
  reuse?: { dir: string; sha: string };
}

/** What a finished task reports. */
export interface CheckoutTaskResult {
  /** Fetch negotiations made (0 when the commit was cached). */
  fetches: number;
  /** Files written, when materializing. */
  files?: number;
  /** Of those, files hard-linked from the reused tree. */
  linked?: number;
}

/** Messages from the checkout worker to the main thread. */
export type WorkerMessage =
  | { type: "request" }
  | { type: "bytes"; bytes: number }
  | { type: "done"; result: CheckoutTaskResult }
  | { type: "error"; error: ErrorLike };
