/**
 * Git for Plumb: the only module that imports isomorphic-git. sync/ declares
 * what it needs; main.ts joins it with createGitSource.
 */
export { createGitSource } from "./source.js";
export { normalizeRepoURL, redactURL } from "./url.js";
export { GIT_ERROR_CODES, type GitErrorCode } from "./classify.js";
export type {
  CheckoutRequest,
  GitOperationEvent,
  GitSource,
  GitSourceOptions,
  GitStats,
  RepoCredentials,
  ResolveRequest,
  TreeOidRequest,
} from "./types.js";
