import express, { Router, type RequestHandler } from "express";
import { HttpError } from "../errors.js";
import { appsForPush } from "../sync/push-targets.js";
import type { ApiDeps, WebhookResult } from "./ports.js";
import { parseWebhook } from "./webhook/payload.js";
import { detectProvider, verifySignature } from "./webhook/signature.js";

/** Path of the Git webhook. */
export const WEBHOOK_PATH = "/api/v1/webhooks/git";

/**
 * `POST /api/v1/webhooks/git`: authenticated by the shared secret (never by
 * a token), then every Application of the pushed repository whose
 * targetRevision the push can move is queued for an urgent reconcile (which
 * also cuts short a rollout it waits on). The reconcile itself finds out
 * whether the app's path changed; an app whose objects did not change gets
 * no writes. The body is read raw, because signatures cover its exact bytes.
 */
export function webhookRoutes(deps: ApiDeps): Router {
  const router = Router();
  const count = (provider: string, result: WebhookResult) => deps.metrics?.webhookReceived(provider, result);
  const raw = express.raw({ type: () => true, limit: deps.bodyLimitBytes ?? 1 << 20 });
  const readBody: RequestHandler = (req, res, next) =>
    raw(req, res, (err?: unknown) => {
      if (err) count(detectProvider(req.headers), (err as { status?: number }).status === 413 ? "too_large" : "bad_request");
      next(err);
    });
  const requireSecret: RequestHandler = (req, _res, next) => {
    if (deps.webhookSecret) return next();
    count(detectProvider(req.headers), "disabled");
    throw new HttpError(503, "WebhookDisabled", "Git webhooks are disabled: the operator has no webhook secret; set PLUMB_WEBHOOK_SECRET (or --webhook-secret)");
  };

  router.post(WEBHOOK_PATH, requireSecret, readBody, (req, res) => {
    const provider = detectProvider(req.headers);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifySignature({ provider, headers: req.headers, body, secret: deps.webhookSecret! });
    if (verdict !== "ok") {
      count(provider, "unauthorized");
      throw new HttpError(401, verdict === "missing" ? "MissingSignature" : "InvalidSignature", verdict === "missing" ? `${provider} webhook carries no signature or token; configure the webhook secret` : `${provider} webhook signature does not match the webhook secret`);
    }
    let event;
    try {
      event = parseWebhook({ provider, headers: req.headers, body });
    } catch (err) {
      count(provider, "bad_request");
      throw err;
    }
    if (event.kind !== "push") {
      count(provider, "ignored");
      res.status(200).json(event.kind === "ping" ? { provider, message: "pong" } : { provider, message: `event ${event.event} ignored; only pushes refresh applications` });
      return;
    }
    const targets = appsForPush(deps.apps.list(), event.push).map((app) => ({ namespace: app.metadata.namespace ?? "", name: app.metadata.name }));
    const outcomes = targets.map((a) => deps.request(a.namespace, a.name, { urgent: true }));
    if (outcomes.includes("not-leader")) throw new HttpError(503, "NotLeader", "this replica does not hold the leader lease; retry (another replica will answer)");
    const refreshed = targets.filter((_a, i) => outcomes[i] === "queued");
    count(provider, "accepted");
    deps.logger?.info({ provider, repo: event.push.repoURLs[0], ref: event.push.ref, revision: event.push.revision, refreshed: refreshed.length }, "webhook push");
    res.status(202).json({ provider, ...(event.push.ref ? { ref: event.push.ref } : {}), ...(event.push.revision ? { revision: event.push.revision } : {}), refreshed });
  });
  return router;
}
