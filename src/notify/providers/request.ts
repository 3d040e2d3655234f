import { NotifyError } from "../errors.js";
import type { NotificationEvent, NotifierSecret, NotifierSpec } from "../types.js";

/** An HTTP request to send for one notification (built purely; sent by the dispatcher). */
export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What a provider builds a request from. */
export interface ProviderInput {
  spec: NotifierSpec;
  secret: NotifierSecret;
  event: NotificationEvent;
}

/** The address a Notifier sends to: spec.address, else the Secret's `address`, else the provider's default. */
export function addressOf(input: ProviderInput, fallback?: string): string {
  const address = input.spec.address ?? input.secret.address ?? fallback;
  if (!address) throw new NotifyError(`${input.spec.type} Notifier needs spec.address or an "address" key in its Secret`, { code: "AddressMissing" });
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new NotifyError(`${input.spec.type} Notifier address is not a URL`, { code: "AddressInvalid" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new NotifyError(`${input.spec.type} Notifier address must be http(s)`, { code: "AddressInvalid" });
  return address.replace(/\/+$/, "");
}

/** `owner` and `repo` (owner may hold GitLab subgroups) from an Application's repoURL. */
export function repoPath(repoURL: string): { owner: string; repo: string; host: string } {
  let url: URL;
  try {
    url = new URL(repoURL);
  } catch {
    throw new NotifyError("the Application's repoURL is not a URL: cannot name its repository", { code: "RepoUnknown" });
  }
  const parts = url.pathname.replace(/\.git$/, "").split("/").filter(Boolean);
  if (parts.length < 2) throw new NotifyError("the Application's repoURL names no owner/repository", { code: "RepoUnknown" });
  return { owner: parts.slice(0, -1).join("/"), repo: parts.at(-1)!, host: url.host.toLowerCase() };
}

/** JSON headers plus the ones given. */
export function jsonHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { "content-type": "application/json", "user-agent": "plumb-notifier", ...extra };
}
