import type { IncomingHttpHeaders } from "node:http";
import { HttpError } from "../../errors.js";
import type { PushEvent } from "../../sync/push-targets.js";
import type { WebhookProvider } from "./signature.js";

/** A verified webhook, understood: a push to act on, a ping, or an event Plumb ignores. */
export type WebhookEvent =
  | { kind: "push"; push: PushEvent }
  | { kind: "ping" }
  | { kind: "ignored"; event: string };

type Json = Record<string, unknown>;

/**
 * Reads the push out of a verified webhook body. GitHub, Gitea and Gogs share
 * a payload shape (`repository.clone_url`, `ref`, `after`); GitLab names the
 * project (`project.git_http_url`); the generic form is `{repoURL, revision}`.
 * GitHub may send `application/x-www-form-urlencoded` with a `payload` field.
 * Throws HttpError 400 when the body is not what the sender promised.
 */
export function parseWebhook(opts: { provider: WebhookProvider; headers: IncomingHttpHeaders; body: Buffer }): WebhookEvent {
  const { provider, headers } = opts;
  const json = parseBody(opts.body, String(headers["content-type"] ?? ""));
  if (provider === "generic") return genericPush(json);
  if (provider === "gitlab") {
    const event = String(headers["x-gitlab-event"]);
    if (event !== "Push Hook" && event !== "Tag Push Hook") return { kind: "ignored", event };
    const project = obj(json.project);
    const repository = obj(json.repository);
    return pushOf({
      repoURLs: strings(project.git_http_url, project.web_url, repository.git_http_url, repository.homepage),
      ref: str(json.ref),
      revision: str(json.checkout_sha) ?? str(json.after),
      defaultBranch: str(project.default_branch),
    });
  }
  const event = String(headers[`x-${provider}-event`]);
  if (event === "ping") return { kind: "ping" };
  if (event !== "push") return { kind: "ignored", event };
  const repository = obj(json.repository);
  return pushOf({
    repoURLs: strings(repository.clone_url, repository.html_url, repository.url),
    ref: str(json.ref),
    revision: str(json.after),
    defaultBranch: str(repository.default_branch),
  });
}

function parseBody(body: Buffer, contentType: string): Json {
  let text = body.toString("utf8");
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    const payload = new URLSearchParams(text).get("payload");
    if (payload === null) throw new HttpError(400, "BadRequest", "form-encoded webhook has no payload field");
    text = payload;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "InvalidJSON", "webhook body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new HttpError(400, "BadRequest", "webhook body must be a JSON object");
  return value as Json;
}

function genericPush(json: Json): WebhookEvent {
  const repoURL = str(json.repoURL);
  if (!repoURL) throw new HttpError(400, "BadRequest", 'generic webhook body must be {"repoURL": "https://…", "revision": "main"} (revision optional)');
  const revision = str(json.revision);
  return pushOf({ repoURLs: [repoURL], ref: revision, revision: revision && /^[0-9a-f]{40}$/i.test(revision) ? revision : undefined });
}

function pushOf(p: { repoURLs: string[]; ref?: string | undefined; revision?: string | undefined; defaultBranch?: string | undefined }): WebhookEvent {
  if (!p.repoURLs.length) throw new HttpError(400, "BadRequest", "push event names no repository URL");
  const push: PushEvent = { repoURLs: p.repoURLs };
  if (p.ref) push.ref = p.ref;
  if (p.revision) push.revision = p.revision;
  if (p.defaultBranch) push.defaultBranch = p.defaultBranch;
  return { kind: "push", push };
}

function obj(v: unknown): Json {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v ? v : undefined;
}

function strings(...vs: unknown[]): string[] {
  return [...new Set(vs.map(str).filter((s): s is string => s !== undefined && /^https?:\/\//i.test(s)))];
}
