import { redactURL } from "../model/repo-url.js";
import type { NotifierType } from "./types.js";

/**
 * A Notifier's address as it may appear in logs and status: no userinfo
 * (redactURL), no query (webhook keys often ride there), and for Slack no
 * path either, since the path of an incoming-webhook URL is its key.
 */
export function safeAddress(type: NotifierType, address: string): string {
  const clean = redactURL(address);
  let url: URL;
  try {
    url = new URL(clean);
  } catch {
    return "(invalid URL)";
  }
  const path = type === "slack" ? (url.pathname.length > 1 ? "/…" : "") : url.pathname;
  return `${url.protocol}//${url.host}${path}${url.search ? "?…" : ""}`;
}

/** The text with every secret value replaced, for error messages that pass through receivers or libraries. */
export function scrub(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
  return out;
}
