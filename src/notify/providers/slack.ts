import { normalizeRepoURL } from "../../model/repo-url.js";
import type { NotificationEventType } from "../types.js";
import { addressOf, jsonHeaders, repoPath, type DeliveryRequest, type ProviderInput } from "./request.js";

const ICON: Record<NotificationEventType, string> = { Progressing: ":hourglass_flowing_sand:", Synced: ":white_check_mark:", Degraded: ":warning:", Failed: ":x:", RolledBack: ":rewind:" };

/** Commit page paths of hosts whose URL shape is known. */
const COMMIT_PATH: Record<string, (sha: string) => string> = {
  "github.com": (sha) => `/commit/${sha}`,
  "gitlab.com": (sha) => `/-/commit/${sha}`,
  "codeberg.org": (sha) => `/commit/${sha}`,
  "bitbucket.org": (sha) => `/commits/${sha}`,
};

/** A link to the commit on a known host, else undefined (no guessing at self-hosted URL shapes). */
export function commitLink(repoURL: string, sha: string): string | undefined {
  let host: string;
  try {
    host = repoPath(repoURL).host;
  } catch {
    return undefined;
  }
  const path = COMMIT_PATH[host];
  return path ? `${normalizeRepoURL(repoURL)}${path(sha)}` : undefined;
}

/** A Slack incoming-webhook message: app, revision (short SHA, linked on known hosts), health, message. */
export function slackRequest(input: ProviderInput): DeliveryRequest {
  const e = input.event;
  const short = e.revision.slice(0, 7);
  const link = commitLink(e.repoURL, e.revision);
  const rev = link ? `<${link}|${short}>` : `\`${short}\``;
  const text = `${ICON[e.event]} *${e.app.namespace}/${e.app.name}* ${e.event} at ${rev} (health ${e.health})${e.message ? `: ${e.message}` : ""}`;
  return { url: addressOf(input), headers: jsonHeaders(), body: JSON.stringify({ text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] }) };
}
