import type { RepoCredentials } from "./types.js";

/**
 * HTTP headers that send the credentials up front (no 401 round trip):
 * basic auth for username/password, `Authorization: Bearer` for a token.
 */
export function authHeaders(credentials: RepoCredentials | undefined): Record<string, string> {
  if (credentials?.bearerToken) return { Authorization: `Bearer ${credentials.bearerToken}` };
  if (credentials?.username !== undefined || credentials?.password !== undefined) {
    const pair = `${credentials.username ?? ""}:${credentials.password ?? ""}`;
    return { Authorization: `Basic ${Buffer.from(pair).toString("base64")}` };
  }
  return {};
}

/** Every string that must never reach a log or message: raw secrets and their encodings. */
export function secretsOf(credentials: RepoCredentials | undefined): string[] {
  const raw = [credentials?.password, credentials?.bearerToken].filter((s): s is string => !!s);
  const header = authHeaders(credentials).Authorization;
  const encoded = header ? [header.slice(header.indexOf(" ") + 1)] : [];
  return [...raw, ...raw.map(encodeURIComponent), ...encoded].filter((s) => s.length > 0);
}

/** Replaces every secret in a text with "***". */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}
