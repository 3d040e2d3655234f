import { readFile } from "node:fs/promises";
import { join } from "node:path";
import express, { Router, type RequestHandler } from "express";
import { HttpError } from "../errors.js";

/** The dashboard's base path. */
export const UI_PATH = "/ui/";

/**
 * The dashboard's Content-Security-Policy: only this origin's own files
 * (scripts and styles from /ui/assets, the API by fetch), no inline script or
 * style, no frames, no plugins, no third-party origins.
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const secured: RequestHandler = (_req, res, next) => {
  res.set({ "Content-Security-Policy": UI_CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY" });
  next();
};

/**
 * `GET /` redirects to `/ui/`; `/ui/assets/*` are the built, content-hashed
 * files (cached for a year, `immutable`); every other `/ui/...` path is the
 * single page (`index.html`, never cached, so a new build is picked up at
 * once), which routes on the client.
 */
export function uiRoutes(uiDir: string | undefined): Router {
  const router = Router();
  router.get("/", (_req, res) => res.redirect(302, UI_PATH));
  // routing ignores a trailing slash: only the bare /ui is redirected
  router.get("/ui", (req, res, next) => (req.originalUrl.split("?")[0] === "/ui" ? res.redirect(301, UI_PATH) : next()));
  router.use(UI_PATH, secured);
  if (uiDir) {
    router.use(`${UI_PATH}assets`, express.static(join(uiDir, "assets"), { immutable: true, maxAge: "365d", index: false, etag: false, redirect: false }));
  }
  // an asset that is not there is a 404, never the page (a script must not be answered with HTML)
  router.use(`${UI_PATH}assets`, (req, _res, next) => next(new HttpError(404, "NotFound", `no dashboard asset ${req.path}; the page may be older than this build, reload it`)));
  router.get(`${UI_PATH}{*page}`, async (_req, res) => {
    if (!uiDir) throw new HttpError(503, "DashboardNotBuilt", "the dashboard is not part of this build; run `npm run build`");
    let html: string;
    try {
      html = await readFile(join(uiDir, "index.html"), "utf8");
    } catch (err) {
      throw new HttpError(503, "DashboardNotBuilt", `the dashboard assets are missing in ${uiDir}; run \`npm run build\``, { cause: err });
    }
    res.set("Cache-Control", "no-cache").type("html").send(html);
  });
  return router;
}
