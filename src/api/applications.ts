import express, { Router, type Request, type Response } from "express";
import { HttpError } from "../errors.js";
import type { Application } from "../model/application.js";
import type { ScheduleRequest } from "../sync/scheduler.js";
import { accessOf, authenticate, demand } from "./auth.js";
import type { ApiDeps } from "./ports.js";
import { resourceTreeOf } from "./tree.js";
import { detailOf, diffViewOf, summaryOf } from "./views.js";

const BASE = "/api/v1/applications";
const ONE = `${BASE}/:namespace/:name`;
const FULL_SHA = /^[0-9a-f]{40}$/i;

/**
 * `/api/v1/applications*`: list, get, diff, resource tree, sync and rollback. Every route
 * needs a bearer token (unless auth is "none"); reads need `get` and actions
 * `update` on applications.plumb.dev in the app's namespace. Rights are
 * checked before existence, so a caller cannot probe for apps it may not see.
 */
export function applicationRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.use(BASE, authenticate(deps.auth), express.json({ limit: deps.bodyLimitBytes ?? 1 << 20 }));

  router.get(BASE, async (req, res) => {
    const wanted = typeof req.query.namespace === "string" ? req.query.namespace : undefined;
    const apps = deps.apps.list().filter((a) => !wanted || a.metadata.namespace === wanted);
    const namespaces = [...new Set(apps.map((a) => a.metadata.namespace ?? ""))];
    const access = accessOf(res);
    const visible = new Set((await Promise.all(namespaces.map(async (ns) => ((await access.may("get", ns)) ? ns : undefined)))).filter((ns) => ns !== undefined));
    const items = apps.filter((a) => visible.has(a.metadata.namespace ?? "")).map(summaryOf).sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    res.json({ items });
  });

  router.get(ONE, async (req, res) => {
    res.json(detailOf(await appFor(deps, req, res, "get")));
  });

  router.get(`${ONE}/diff`, async (req, res) => {
    const app = await appFor(deps, req, res, "get");
    res.json(diffViewOf(app, await deps.diff(app)));
  });

  router.get(`${ONE}/tree`, async (req, res) => {
    const app = await appFor(deps, req, res, "get");
    const parents = (app.status?.resources ?? []).map((r) => ({ apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, namespace: r.namespace, name: r.name }));
    const live = deps.owned ? await deps.owned.ownedBy(parents) : { parents: [], owned: [] };
    res.json({ namespace: app.metadata.namespace ?? "", name: app.metadata.name, nodes: resourceTreeOf(app, live) });
  });

  router.post(`${ONE}/sync`, async (req, res) => {
    const app = await appFor(deps, req, res, "update");
    const prune = syncPrune(req.body);
    enqueue(deps, app, { manual: true, ...(prune ? { prune } : {}) });
    res.status(202).json({ namespace: app.metadata.namespace, name: app.metadata.name, prune, message: prune ? "sync with prune requested" : "sync requested" });
  });

  router.post(`${ONE}/rollback`, async (req, res) => {
    const app = await appFor(deps, req, res, "update");
    const revision = rollbackRevision(app, req.body);
    enqueue(deps, app, { rollbackTo: revision });
    res.status(202).json({ namespace: app.metadata.namespace, name: app.metadata.name, revision, message: `rollback to ${revision.slice(0, 7)} requested` });
  });

  return router;
}

/** The app a route names, after checking the caller's right; 404 when it does not exist. */
async function appFor(deps: ApiDeps, req: Request, res: Response, verb: "get" | "update"): Promise<Application> {
  const { namespace, name } = req.params as { namespace: string; name: string };
  await demand(res, verb, namespace);
  const app = deps.apps.get(namespace, name);
  if (!app) throw new HttpError(404, "NotFound", `application ${namespace}/${name} not found`);
  return app;
}

function enqueue(deps: ApiDeps, app: Application, req: ScheduleRequest): void {
  const outcome = deps.request(app.metadata.namespace ?? "", app.metadata.name, req);
  if (outcome === "unknown-app") throw new HttpError(404, "NotFound", `application ${app.metadata.namespace}/${app.metadata.name} not found`);
  if (outcome === "not-leader") throw new HttpError(503, "NotLeader", "this replica does not hold the leader lease; retry (another replica will answer)");
}

/** Whether a sync body asks to prune: none, `{}` or `{"prune": false|true}`. */
function syncPrune(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  const usage = 'body must be empty or JSON {"prune": true|false}';
  if (typeof body !== "object" || Array.isArray(body)) throw new HttpError(400, "BadRequest", usage);
  const { prune, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length || (prune !== undefined && typeof prune !== "boolean")) throw new HttpError(400, "BadRequest", usage);
  return prune === true;
}

/** The commit a rollback body names: `{"id": N}` (a history entry) or `{"revision": "<40-hex sha>"}`. */
function rollbackRevision(app: Application, body: unknown): string {
  const usage = 'body must be JSON {"id": <history id>} or {"revision": "<full commit SHA>"}';
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new HttpError(400, "BadRequest", usage);
  const { id, revision, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length || (id === undefined) === (revision === undefined)) throw new HttpError(400, "BadRequest", usage);
  if (revision !== undefined) {
    if (typeof revision !== "string" || !FULL_SHA.test(revision)) throw new HttpError(400, "BadRequest", `"revision" must be a full 40-hex commit SHA; ${usage}`);
    return revision.toLowerCase();
  }
  if (typeof id !== "number" || !Number.isInteger(id)) throw new HttpError(400, "BadRequest", `"id" must be an integer; ${usage}`);
  const entry = app.status?.history?.find((h) => h.id === id);
  if (!entry) throw new HttpError(404, "HistoryNotFound", `application ${app.metadata.namespace}/${app.metadata.name} has no history entry ${id}`);
  return entry.revision;
}
