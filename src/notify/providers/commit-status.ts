import { NotifyError } from "../errors.js";
import type { NotificationEventType } from "../types.js";
import { addressOf, jsonHeaders, repoPath, type DeliveryRequest, type ProviderInput } from "./request.js";

/** A commit status state, in each host's words. */
type State = "pending" | "success" | "failure";

const STATE: Record<NotificationEventType, State> = { Progressing: "pending", Synced: "success", Degraded: "failure", Failed: "failure", RolledBack: "failure" };

/** GitLab says "failed" and "running" where GitHub and Gitea say "failure" and "pending". */
const GITLAB_STATE: Record<State, string> = { pending: "running", success: "success", failure: "failed" };

/** The commit status context: one per Application. */
export function statusContext(input: ProviderInput): string {
  return `plumb/${input.event.app.namespace}/${input.event.app.name}`;
}

function description(input: ProviderInput): string {
  const e = input.event;
  return `${e.event}: ${e.message}`.slice(0, 140);
}

function tokenOf(input: ProviderInput): string {
  if (!input.secret.token) throw new NotifyError(`${input.spec.type} Notifier needs a "token" key in its Secret (spec.secretRef)`, { code: "TokenMissing" });
  return input.secret.token;
}

/** GitHub: POST {address}/repos/{owner}/{repo}/statuses/{sha}. */
export function githubRequest(input: ProviderInput): DeliveryRequest {
  const { owner, repo } = repoPath(input.event.repoURL);
  const base = addressOf(input, "https://api.github.com");
  const body = { state: STATE[input.event.event], context: statusContext(input), description: description(input) };
  return {
    url: `${base}/repos/${owner}/${repo}/statuses/${input.event.revision}`,
    headers: jsonHeaders({ authorization: `Bearer ${tokenOf(input)}`, accept: "application/vnd.github+json" }),
    body: JSON.stringify(body),
  };
}

/** GitLab: POST {address}/api/v4/projects/{url-encoded path}/statuses/{sha}. */
export function gitlabRequest(input: ProviderInput): DeliveryRequest {
  const { owner, repo } = repoPath(input.event.repoURL);
  const base = addressOf(input, "https://gitlab.com");
  const body = { state: GITLAB_STATE[STATE[input.event.event]], name: statusContext(input), context: statusContext(input), description: description(input) };
  return {
    url: `${base}/api/v4/projects/${encodeURIComponent(`${owner}/${repo}`)}/statuses/${input.event.revision}`,
    headers: jsonHeaders({ "private-token": tokenOf(input) }),
    body: JSON.stringify(body),
  };
}

/** Gitea: POST {address}/api/v1/repos/{owner}/{repo}/statuses/{sha}. */
export function giteaRequest(input: ProviderInput): DeliveryRequest {
  const { owner, repo } = repoPath(input.event.repoURL);
  const base = addressOf(input);
  const body = { state: STATE[input.event.event], context: statusContext(input), description: description(input) };
  return {
    url: `${base}/api/v1/repos/${owner}/${repo}/statuses/${input.event.revision}`,
    headers: jsonHeaders({ authorization: `token ${tokenOf(input)}` }),
    body: JSON.stringify(body),
  };
}
