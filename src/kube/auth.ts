import { createHash } from "node:crypto";
import { APP_GROUP, APP_PLURAL } from "../model/labels.js";
import type { ApiUser, ApiVerb, Authorizer } from "../sync/ports.js";
import type { RestClient } from "./rest.js";

interface TokenReview {
  status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } };
}
interface SubjectAccessReview {
  status?: { allowed?: boolean };
}

/** A small time-bounded cache; oldest entries go first when it is full. */
class TtlCache<T> {
  #entries = new Map<string, { at: number; value: T }>();
  readonly ttlMs: number;
  readonly max: number;
  constructor(ttlMs: number, max: number) {
    this.ttlMs = ttlMs;
    this.max = max;
  }

  get(key: string, now: number): { value: T } | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (now - hit.at < this.ttlMs) return { value: hit.value };
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, now: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { at: now, value });
  }
}

/**
 * The HTTP API's authorizer: bearer tokens are checked with a TokenReview,
 * rights with a SubjectAccessReview on `applications.plumb.dev` in the
 * namespace. Answers (yes and no) are cached briefly, so a dashboard polling
 * every second costs the API server two requests per 10 s, while a revoked
 * right stops working within that time. Tokens are cached by hash only.
 */
export class KubeAuthorizer implements Authorizer {
  #rest: RestClient;
  #now: () => number;
  #users: TtlCache<ApiUser | undefined>;
  #rights: TtlCache<boolean>;

  constructor(opts: { rest: RestClient; ttlMs?: number; maxEntries?: number; now?: () => number }) {
    this.#rest = opts.rest;
    this.#now = opts.now ?? Date.now;
    this.#users = new TtlCache(opts.ttlMs ?? 10_000, opts.maxEntries ?? 1_000);
    this.#rights = new TtlCache(opts.ttlMs ?? 10_000, opts.maxEntries ?? 1_000);
  }

  async authenticate(token: string): Promise<ApiUser | undefined> {
    const key = createHash("sha256").update(token).digest("hex");
    const hit = this.#users.get(key, this.#now());
    if (hit) return hit.value;
    const review = await this.#rest.request<TokenReview>({
      method: "POST",
      path: "/apis/authentication.k8s.io/v1/tokenreviews",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } },
    });
    const u = review?.status?.user;
    const user: ApiUser | undefined =
      review?.status?.authenticated && u?.username
        ? { username: u.username, groups: u.groups ?? [], ...(u.uid ? { uid: u.uid } : {}), ...(u.extra ? { extra: u.extra } : {}) }
        : undefined;
    this.#users.set(key, user, this.#now());
    return user;
  }

  async allowed(user: ApiUser, verb: ApiVerb, namespace: string): Promise<boolean> {
    const key = JSON.stringify([user.username, user.uid ?? "", [...user.groups].sort(), verb, namespace]);
    const hit = this.#rights.get(key, this.#now());
    if (hit) return hit.value;
    const review = await this.#rest.request<SubjectAccessReview>({
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
          user: user.username,
          groups: user.groups,
          ...(user.uid ? { uid: user.uid } : {}),
          ...(user.extra ? { extra: user.extra } : {}),
          resourceAttributes: { group: APP_GROUP, resource: APP_PLURAL, verb, namespace },
        },
      },
    });
    const allowed = review?.status?.allowed === true;
    this.#rights.set(key, allowed, this.#now());
    return allowed;
  }
}
