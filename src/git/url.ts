import { GitError } from "../errors.js";
import { redactURL } from "../model/repo-url.js";
import type { RepoCredentials } from "./types.js";

/** Re-exported from model/, where they are pure and shared with sync/ and the API. */
export { normalizeRepoURL, redactURL } from "../model/repo-url.js";

/**
 * Splits a repository URL into a credential-free URL and the credentials it
 * carried; rejects anything but http(s) with UnsupportedURL (terminal).
 */
export function parseRepoURL(url: string): { url: string; credentials: RepoCredentials } {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch (err) {
    throw new GitError(`repoURL "${redactURL(url)}" is not a valid URL; use https://host/path`, {
      code: "UnsupportedURL",
      terminal: true,
      data: { repoURL: redactURL(url) },
      cause: err,
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new GitError(`repoURL "${redactURL(url)}" uses ${parsed.protocol}; only http(s) URLs are supported`, {
      code: "UnsupportedURL",
      terminal: true,
      data: { repoURL: redactURL(url) },
    });
  }
  const credentials: RepoCredentials = {};
  if (parsed.username) credentials.username = decodeURIComponent(parsed.username);
  if (parsed.password) credentials.password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.href, credentials };
}
