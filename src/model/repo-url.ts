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

/**
 * The URL without userinfo, safe for logs, Events, status and API answers;
 * the one redaction of repository URLs. A URL that `new URL` accepts loses
 * its username and password whatever they contain (`@`, `:`, percent
 * escapes); anything else (also an opaque URL such as `user:pw@host:path`)
 * loses everything up to the last `@` of its authority, so a malformed URL leaks no credential either.
 */
export function redactURL(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.trim());
  } catch {
    parsed = undefined;
  }
  if (parsed?.host) {
    parsed.username = "";
    parsed.password = "";
    return parsed.href;
  }
  // not a URL, or an opaque one ("user:pw@host:path" parses as scheme "user:")
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? "";
  const rest = url.slice(scheme.length);
  const end = rest.search(/[/?#]/);
  const at = (end < 0 ? rest : rest.slice(0, end)).lastIndexOf("@");
  return at < 0 ? url : scheme + rest.slice(at + 1);
}
