/**
 * Fake ports for HTTP tests of the API: in-memory Applications, a recording
 * controller, a scripted authorizer, and the real metrics registry.
 */
import { createApp, startApiServer, type ApiDeps, type ApiServer, type RequestOutcome } from "../../src/api/index.js";
import type { Application } from "../../src/model/application.js";
import { PlumbMetrics } from "../../src/metrics/index.js";
import type { DiffReport } from "../../src/sync/diff-report.js";
import type { ApiUser, ApiVerb, Authorizer } from "../../src/sync/ports.js";
import type { ScheduleRequest } from "../../src/sync/scheduler.js";

/** An Application with the given source and status. */
export function makeApp(opts: { namespace: string; name: string; repoURL?: string; path?: string; targetRevision?: string; status?: Application["status"] }): Application {
  return {
    apiVersion: "plumb.dev/v1alpha1",
    kind: "Application",
    metadata: { namespace: opts.namespace, name: opts.name, generation: 1, creationTimestamp: "2025-01-01T00:00:00Z" },
    spec: {
      source: { repoURL: opts.repoURL ?? "https://git.example.com/org/config.git", path: opts.path ?? opts.name, ...(opts.targetRevision ? { targetRevision: opts.targetRevision } : {}) },
      destination: { namespace: opts.namespace },
      syncPolicy: { automated: { prune: true } },
    },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

/** Tokens the fake authorizer knows, and which (verb, namespace) pairs each user may use. */
export class FakeAuthorizer implements Authorizer {
  readonly users = new Map<string, ApiUser>();
  readonly grants = new Set<string>();
  authenticateCalls = 0;
  failing = false;

  addUser(token: string, username: string, grants: [ApiVerb, string][] = []): void {
    this.users.set(token, { username, groups: ["system:authenticated"] });
    for (const [verb, ns] of grants) this.grants.add(`${username}|${verb}|${ns}`);
  }

  async authenticate(token: string): Promise<ApiUser | undefined> {
    this.authenticateCalls++;
    if (this.failing) throw new Error("connect ECONNREFUSED");
    return this.users.get(token);
  }

  async allowed(user: ApiUser, verb: ApiVerb, namespace: string): Promise<boolean> {
    return this.grants.has(`${user.username}|${verb}|${namespace}`);
  }
}

/** A running API over fakes. */
export interface FakeApi {
  url: string;
  server: ApiServer;
  apps: Application[];
  requests: { namespace: string; name: string; req: ScheduleRequest }[];
  metrics: PlumbMetrics;
  deps: ApiDeps;
  /** Tells subscribers (event streams) that an app changed, as the Application informer would. */
  emit(type: "add" | "update" | "delete", app: Application): void;
  close(): Promise<void>;
}

/** Starts the API on 127.0.0.1:0 with fake ports; `overrides` replace any of them. */
export async function startFakeApi(opts: { apps?: Application[]; overrides?: Partial<ApiDeps>; outcome?: RequestOutcome } = {}): Promise<FakeApi> {
  const apps = opts.apps ?? [];
  const requests: FakeApi["requests"] = [];
  const metrics = new PlumbMetrics({ processMetrics: false });
  metrics.attach({ apps: () => apps });
  const listeners = new Set<(type: "add" | "update" | "delete", app: Application) => void>();
  const deps: ApiDeps = {
    apps: {
      get: (ns, name) => apps.find((a) => a.metadata.namespace === ns && a.metadata.name === name),
      list: () => apps,
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    request: (namespace, name, req) => {
      requests.push({ namespace, name, req });
      return opts.outcome ?? "queued";
    },
    diff: async (): Promise<DiffReport> => ({ revision: "a".repeat(40), inSync: true, resources: [] }),
    ready: () => true,
    auth: "none",
    webhookSecret: "s3cret-webhook",
    metrics,
    ...opts.overrides,
  };
  const server = await startApiServer({ app: createApp(deps), host: "127.0.0.1", port: 0 });
  const emit = (type: "add" | "update" | "delete", app: Application): void => {
    for (const l of listeners) l(type, app);
  };
  return { url: server.url, server, apps, requests, metrics, deps, emit, close: () => server.close({ graceMs: 100 }) };
}

/** fetch + JSON body. */
export async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers };
}
