import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** Who sent a webhook, told by its headers. */
export type WebhookProvider = "github" | "gitea" | "gogs" | "gitlab" | "generic";

/** Outcome of checking a webhook's signature or token. */
export type SignatureVerdict = "ok" | "missing" | "invalid";

/** Header of generic pushes: `X-Plumb-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. */
export const GENERIC_SIGNATURE_HEADER = "x-plumb-signature";

/**
 * The sender of a webhook. Gitea also sends GitHub's and Gogs' headers for
 * compatibility, so Gitea is recognised first, then Gogs, then GitHub.
 */
export function detectProvider(headers: IncomingHttpHeaders): WebhookProvider {
  if (headers["x-gitea-event"]) return "gitea";
  if (headers["x-gogs-event"]) return "gogs";
  if (headers["x-github-event"]) return "github";
  if (headers["x-gitlab-event"]) return "gitlab";
  return "generic";
}

/**
 * Checks a webhook against the shared secret in constant time: GitHub and the
 * generic form sign the raw body (`sha256=<hex HMAC>`), Gitea and Gogs send
 * the bare hex HMAC, GitLab sends the secret itself as `X-Gitlab-Token`.
 */
export function verifySignature(opts: { provider: WebhookProvider; headers: IncomingHttpHeaders; body: Buffer; secret: string }): SignatureVerdict {
  const { provider, headers, body, secret } = opts;
  if (provider === "gitlab") {
    const token = header(headers, "x-gitlab-token");
    if (token === undefined) return "missing";
    // hashing both sides makes the comparison constant-time whatever the lengths
    return safeEqual(sha256(token), sha256(secret)) ? "ok" : "invalid";
  }
  const name = { github: "x-hub-signature-256", gitea: "x-gitea-signature", gogs: "x-gogs-signature", generic: GENERIC_SIGNATURE_HEADER }[provider];
  const given = header(headers, name);
  if (given === undefined) return "missing";
  const prefixed = provider === "github" || provider === "generic";
  const m = (prefixed ? /^sha256=([0-9a-f]{64})$/i : /^([0-9a-f]{64})$/i).exec(given.trim());
  if (!m) return "invalid";
  return safeEqual(Buffer.from(m[1]!, "hex"), hmac(secret, body)) ? "ok" : "invalid";
}

/** `sha256=<hex>`: the HMAC-SHA256 signature of a body, as GitHub and the generic webhook send it. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${hmac(secret, typeof body === "string" ? Buffer.from(body) : body).toString("hex")}`;
}

function hmac(secret: string, body: Buffer): Buffer {
  return createHmac("sha256", secret).update(body).digest();
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
