import express, { type Express, type RequestHandler } from "express";
import { applicationRoutes } from "./applications.js";
import { authInfo } from "./auth.js";
import { errorHandler, notFound } from "./errors.js";
import type { ApiDeps } from "./ports.js";
import { streamRoutes } from "./stream.js";
import { uiRoutes } from "./ui.js";
import { webhookRoutes } from "./webhooks.js";

/**
 * The HTTP API as an express app: probes, metrics, Applications, their event
 * stream, the Git webhook and the dashboard, one error shape (`{"error": {"code", "message"}}`) and JSON 404s.
 * Nothing here talks to Kubernetes or Git: every action is a call on `deps`.
 */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(countRequests(deps));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", (_req, res) => {
    const ready = deps.ready();
    res.status(ready ? 200 : 503).json(ready ? { status: "ok" } : { error: { code: "NotReady", message: "caches are not synced yet" } });
  });
  app.get("/metrics", async (_req, res) => {
    if (!deps.metrics) {
      res.status(404).json({ error: { code: "NotFound", message: "metrics are not enabled" } });
      return;
    }
    res.type(deps.metrics.contentType).send(await deps.metrics.render());
  });
  app.get("/api/v1/auth", authInfo(deps.auth));
  app.use(webhookRoutes(deps));
  const streams = streamRoutes(deps);
  app.locals.endStreams = streams.endAll;
  app.use(streams.router);
  app.use(applicationRoutes(deps));
  app.use(uiRoutes(deps.uiDir));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}

/** Counts every request by method, matched route pattern (never the raw path) and status. */
function countRequests(deps: ApiDeps): RequestHandler {
  return (req, res, next) => {
    res.on("finish", () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      deps.metrics?.httpRequest(req.method, typeof route === "string" ? route : "unmatched", res.statusCode);
    });
    next();
  };
}
