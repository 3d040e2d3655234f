/**
 * The canonical form of a repository URL, used to match webhook pushes to
 * Applications and to name caches: lower-case scheme and host, default port
 * dropped, no credentials, query or fragment, no trailing slash or `.git`.
 * Input that is not a URL is returned trimmed and lower-cased.
 */
export function normalizeRepoURL(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return url.trim().toLowerCase();
  }
  parsed.username = "";
  parsed.password = "";
  parsed.search = "";
  parsed.hash = "";
  const path = parsed.pathname.replace(/\/+$/, "").replace(/\.git$/, "").replace(/\/+$/, "");
  return `${parsed.protocol}//${parsed.host}${path}`;
}
