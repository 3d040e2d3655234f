import type { RequestHandler, Response } from "express";
import { HttpError } from "../errors.js";
import { APP_GROUP, APP_PLURAL } from "../model/labels.js";
import type { ApiUser, ApiVerb, Authorizer } from "../sync/ports.js";

/** What the authenticated caller may do; kept in `res.locals.access`. */
export interface Access {
  user: ApiUser;
  may(verb: ApiVerb, namespace: string): Promise<boolean>;
}

const ANONYMOUS: ApiUser = { username: "system:anonymous", groups: [] };

/**
 * Authenticates `Authorization: Bearer <token>` with the Authorizer (a
 * TokenReview): 401 without a valid token. With auth "none" every caller is
 * anonymous and allowed everything (only permitted on loopback listeners).
 */
export function authenticate(auth: Authorizer | "none"): RequestHandler {
  return async (req, res, next) => {
    if (auth === "none") {
      res.locals.access = { user: ANONYMOUS, may: async () => true } satisfies Access;
      return next();
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    res.set("WWW-Authenticate", 'Bearer realm="plumb"');
    if (!m) throw new HttpError(401, "Unauthorized", "send a Kubernetes bearer token: Authorization: Bearer <token>");
    const user = await ask(() => auth.authenticate(m[1]!));
    if (!user) throw new HttpError(401, "Unauthorized", "the bearer token is invalid or expired");
    res.removeHeader("WWW-Authenticate");
    res.locals.access = { user, may: (verb, namespace) => ask(() => auth.allowed(user, verb, namespace)) } satisfies Access;
    next();
  };
}

/** The caller's access (set by authenticate). */
export function accessOf(res: Response): Access {
  return res.locals.access as Access;
}

/** Throws 403 unless the caller may `verb` Applications in `namespace`. */
export async function demand(res: Response, verb: ApiVerb, namespace: string): Promise<void> {
  const access = accessOf(res);
  if (!(await access.may(verb, namespace))) {
    throw new HttpError(403, "Forbidden", `${access.user.username} may not ${verb} ${APP_PLURAL}.${APP_GROUP} in namespace ${namespace}`);
  }
}

/** Calls the Authorizer; its failures (API server down) become 503, not 500. */
async function ask<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new HttpError(503, "AuthUnavailable", `cannot check access with the Kubernetes API server: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * `GET /api/v1/auth` (no token needed): which auth the API uses, so the
 * dashboard knows whether to ask for a token; with a token, also whose it is
 * (401 when it is invalid), so a login form can check it before use.
 */
export function authInfo(auth: Authorizer | "none"): RequestHandler {
  const check = authenticate(auth);
  return async (req, res, next) => {
    const mode = auth === "none" ? "none" : "kubernetes";
    if (auth === "none" || !req.get("authorization")) {
      res.json({ mode });
      return;
    }
    await check(req, res, (err?: unknown) => {
      if (err) return next(err);
      res.json({ mode, user: { username: accessOf(res).user.username } });
    });
  };
}
