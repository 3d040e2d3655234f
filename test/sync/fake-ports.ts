/**
 * In-memory, deterministic fakes of the ports sync/ declares (sync/ports.ts):
 * a Git remote, a cluster (apply, dry-run, live reads, discovery, onChange),
 * an Application store and a clock whose time moves only when a test says
 * so. Only the render reads real files (a checkout is a temporary directory).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pino } from "pino";
import { GitError, KubeError, type PlumbError } from "../../src/errors.js";
import type { Logger } from "../../src/log.js";
import type { Application, ApplicationStatus } from "../../src/model/application.js";
import type { KubeObject } from "../../src/model/object.js";
import { splitApiVersion } from "../../src/model/object.js";
import { keyOf, keyString } from "../../src/model/resource-key.js";
import type { SyncContext, SyncMetrics } from "../../src/sync/context.js";
import { DriftMemory } from "../../src/sync/drift-memory.js";
import type { AppStorePort, Clock, ClusterPort, GitPort, KindRef, LiveRef, RepoCredentials } from "../../src/sync/ports.js";

export const REPO = "https://git.example.com/org/config.git";

/** Lets pending promise callbacks and I/O callbacks run (one turn of the event loop). */
export const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Turns the event loop until `ready()` holds: render reads real files, so
 * this may take many turns on a busy machine. The bound is generous wall
 * time, not an expectation of speed.
 */
export async function until(ready: () => boolean, boundMs = 30_000): Promise<void> {
  const giveUp = performance.now() + boundMs;
  while (!ready()) {
    if (performance.now() > giveUp) throw new Error("condition never held");
    await turn();
  }
}

/** A clock that stands still until `advance` moves it, firing due timers in order. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, { at: number; fn: () => void; every?: number }>();

  constructor(start = Date.parse("2026-01-01T00:00:00Z")) {
    this.#now = start;
  }

  now(): Date {
    return new Date(this.#now);
  }

  after(ms: number, fn: () => void): () => void {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return () => void this.#timers.delete(id);
  }

  every(ms: number, fn: () => void): () => void {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + ms, fn, every: ms });
    return () => void this.#timers.delete(id);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way and letting the work it starts run. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= end).sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];
      if (!due) break;
      const [id, t] = due;
      this.#now = Math.max(this.#now, t.at);
      if (t.every) t.at += t.every;
      else this.#timers.delete(id);
      t.fn();
      for (let i = 0; i < 20; i++) await turn();
    }
    this.#now = end;
    for (let i = 0; i < 20; i++) await turn();
  }
}

/** A Git remote: commits are file maps, refs name commits; failures can be scripted. */
export class FakeGit implements GitPort {
  readonly commits = new Map<string, Record<string, string>>();
  readonly refs = new Map<string, string>();
  readonly checkouts: string[] = [];
  resolveError: PlumbError | undefined;
  #root = mkdtempSync(join(tmpdir(), "plumb-fake-git-"));
  #seq = 0;

  /** Commits `files` (path → content) onto `ref` and returns the new commit's SHA. */
  commit(files: Record<string, string>, ref = "HEAD"): string {
    const sha = (++this.#seq).toString(16).padStart(40, "c");
    this.commits.set(sha, files);
    this.refs.set(ref, sha);
    return sha;
  }

  async resolveRevision(req: { repoURL: string; revision?: string; credentials?: RepoCredentials; since?: number }): Promise<string> {
    if (this.resolveError) throw this.resolveError;
    const rev = req.revision ?? "HEAD";
    const sha = this.refs.get(rev) ?? (this.commits.has(rev) ? rev : undefined);
    if (!sha) throw new GitError(`revision "${rev}" not found`, { code: "RevisionNotFound", terminal: true });
    return sha;
  }

  async checkout(req: { repoURL: string; revision: string }): Promise<{ dir: string }> {
    this.checkouts.push(req.revision);
    const files = this.#files(req.revision);
    const dir = join(this.#root, req.revision);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    mkdirSync(dir, { recursive: true });
    return { dir };
  }

  async treeOid(req: { sha: string; path: string }): Promise<string | undefined> {
    const prefix = req.path === "." ? "" : `${req.path.replace(/\/$/, "")}/`;
    const below = Object.entries(this.#files(req.sha)).filter(([p]) => p.startsWith(prefix));
    return below.length ? `tree:${JSON.stringify(below)}` : undefined;
  }

  async symlinksIn(): Promise<boolean> {
    return false;
  }

  /** Removes the checkouts. */
  cleanup(): void {
    rmSync(this.#root, { recursive: true, force: true });
  }

  #files(sha: string): Record<string, string> {
    const files = this.commits.get(sha);
    if (!files) throw new Error(`no commit ${sha}`);
    return files;
  }
}

const KINDS: KindRef[] = [
  { group: "", version: "v1", kind: "ConfigMap", namespaced: true },
  { group: "", version: "v1", kind: "Secret", namespaced: true },
  { group: "", version: "v1", kind: "Service", namespaced: true },
  { group: "", version: "v1", kind: "Namespace", namespaced: false },
  { group: "apps", version: "v1", kind: "Deployment", namespaced: true },
];

type Failure = (what: { op: "get" | "apply" | "dryRun" | "delete"; key: string }) => Error | undefined;

/**
 * A cluster: objects by key, server-side apply that bumps resourceVersion and
 * generation only when something changed, dry-runs that persist nothing, and
 * Deployments that roll out as the local cluster's do by pod-template label
 * (`kwok.plumb.dev/ready: "false"` hangs, `kwok.plumb.dev/crash: "true"` turns
 * Degraded). `fail` scripts errors per call.
 */
export class FakeCluster implements ClusterPort {
  readonly objects = new Map<string, KubeObject>();
  readonly applied: string[] = [];
  readonly deleted: string[] = [];
  fail: Failure = () => undefined;
  #rv = 100;
  #listeners = new Set<{ listener: (obj: KubeObject) => void; keys?: Set<string> }>();

  async kindOf(apiVersion: string, kind: string): Promise<KindRef | undefined> {
    const { group } = splitApiVersion(apiVersion);
    return KINDS.find((k) => k.group === group && k.kind === kind);
  }

  scopeOf(group: string, kind: string): "Namespaced" | "Cluster" | undefined {
    const k = KINDS.find((x) => x.group === group && x.kind === kind);
    return k ? (k.namespaced ? "Namespaced" : "Cluster") : undefined;
  }

  async getLive(ref: LiveRef): Promise<KubeObject | undefined> {
    const key = this.#key(ref);
    const err = this.fail({ op: "get", key });
    if (err) throw err;
    const obj = this.objects.get(key);
    return obj && structuredClone(obj);
  }

  async apply(obj: KubeObject, opts: { dryRun?: boolean } = {}): Promise<KubeObject> {
    const key = keyString(keyOf(obj));
    const err = this.fail({ op: opts.dryRun ? "dryRun" : "apply", key });
    if (err) throw err;
    const live = this.objects.get(key);
    const result = live && sameIntent(live, obj) ? live : this.#materialize(obj, live, !!opts.dryRun);
    if (!opts.dryRun && result !== live) {
      this.objects.set(key, result);
      this.applied.push(key);
      this.#notify(key, result);
    }
    return structuredClone(result);
  }

  async delete(ref: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string }): Promise<void> {
    const key = this.#key(ref);
    const err = this.fail({ op: "delete", key });
    if (err) throw err;
    const live = this.objects.get(key);
    if (!live || (ref.uid && live.metadata.uid !== ref.uid)) return;
    this.objects.delete(key);
    this.deleted.push(key);
    this.#notify(key, live);
  }

  onChange(listener: (obj: KubeObject) => void, keys?: Iterable<string>): () => void {
    const entry = { listener, ...(keys ? { keys: new Set(keys) } : {}) };
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  /** Puts an object in place as if someone else had created it. */
  put(obj: KubeObject): void {
    this.objects.set(keyString(keyOf(obj)), this.#materialize(obj, undefined, false));
  }

  #materialize(obj: KubeObject, live: KubeObject | undefined, dryRun: boolean): KubeObject {
    const generation = (live?.metadata.generation ?? 0) + 1;
    const meta = {
      ...obj.metadata,
      uid: live?.metadata.uid ?? `uid-${obj.metadata.name}-${this.#rv}`,
      resourceVersion: dryRun ? live?.metadata.resourceVersion : String(++this.#rv),
      generation,
      creationTimestamp: live?.metadata.creationTimestamp ?? "2026-01-01T00:00:00Z",
    };
    if (meta.resourceVersion === undefined) delete meta.resourceVersion;
    const out: KubeObject = { ...structuredClone(obj), metadata: meta };
    if (obj.kind === "Deployment") out.status = rolloutStatus(out, generation);
    return out;
  }

  #notify(key: string, obj: KubeObject): void {
    for (const { listener, keys } of this.#listeners) if (!keys || keys.has(key)) listener(structuredClone(obj));
  }

  #key(ref: { apiVersion: string; kind: string; namespace?: string | undefined; name: string }): string {
    const { group } = splitApiVersion(ref.apiVersion);
    return keyString({ group, kind: ref.kind, namespace: ref.namespace ?? "", name: ref.name });
  }
}

/** Whether applying `obj` over `live` would change nothing Plumb declares. */
function sameIntent(live: KubeObject, obj: KubeObject): boolean {
  const { metadata: lm, status: _ls, ...lrest } = live;
  const { metadata: om, status: _os, ...orest } = obj;
  return JSON.stringify([lrest, lm.labels ?? {}, lm.annotations ?? {}]) === JSON.stringify([orest, om.labels ?? {}, om.annotations ?? {}]);
}

function rolloutStatus(d: KubeObject, generation: number): Record<string, unknown> {
  const spec = d.spec as { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  const labels = spec?.template?.metadata?.labels ?? {};
  const replicas = spec?.replicas ?? 1;
  if (labels["kwok.plumb.dev/crash"] === "true") {
    return { observedGeneration: generation, replicas, updatedReplicas: replicas, availableReplicas: 0, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "pods crash" }] };
  }
  if (labels["kwok.plumb.dev/ready"] === "false") return { observedGeneration: generation, replicas, updatedReplicas: replicas, availableReplicas: 0 };
  return { observedGeneration: generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
}

/** Applications in memory: status writes and Events are recorded (and can be made to fail). */
export class FakeAppStore implements AppStorePort {
  readonly apps = new Map<string, Application>();
  /** Every status write asked for, failed or not. */
  readonly statusWrites: ApplicationStatus[] = [];
  readonly events: { type: string; reason: string; message: string }[] = [];
  failStatusWrite: (status: ApplicationStatus) => boolean = () => false;
  failEvents = false;
  #listeners = new Set<(type: "add" | "update" | "delete", app: Application) => void>();

  add(app: Application): void {
    this.apps.set(`${app.metadata.namespace}/${app.metadata.name}`, app);
    for (const l of this.#listeners) l("add", app);
  }

  remove(namespace: string, name: string): void {
    const app = this.apps.get(`${namespace}/${name}`);
    this.apps.delete(`${namespace}/${name}`);
    if (app) for (const l of this.#listeners) l("delete", app);
  }

  /** Changes the spec as a user would (the generation moves on). */
  editSpec(namespace: string, name: string, edit: (spec: Application["spec"]) => void): void {
    const app = structuredClone(this.apps.get(`${namespace}/${name}`)!);
    edit(app.spec);
    app.metadata.generation = (app.metadata.generation ?? 1) + 1;
    this.apps.set(`${namespace}/${name}`, app);
    for (const l of this.#listeners) l("update", app);
  }

  get(namespace: string, name: string): Application | undefined {
    const app = this.apps.get(`${namespace}/${name}`);
    return app && structuredClone(app);
  }

  list(): Application[] {
    return [...this.apps.values()].map((a) => structuredClone(a));
  }

  subscribe(listener: (type: "add" | "update" | "delete", app: Application) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  async writeStatus(app: Application, status: ApplicationStatus): Promise<void> {
    this.statusWrites.push(structuredClone(status));
    if (this.failStatusWrite(status)) throw new KubeError("the server is currently unable to handle the request", { code: "ServiceUnavailable", status: 503 });
    const id = `${app.metadata.namespace}/${app.metadata.name}`;
    const current = this.apps.get(id);
    if (current) this.apps.set(id, { ...current, status: structuredClone(status) });
  }

  async recordEvent(_app: Application, event: { type: "Normal" | "Warning"; reason: string; message: string }): Promise<void> {
    if (this.failEvents) throw new KubeError("events are forbidden", { code: "Forbidden", status: 403 });
    this.events.push(event);
  }

  async repoCredentials(): Promise<RepoCredentials> {
    return {};
  }
}

/** Everything a reconcile needs, faked, plus the log lines it wrote. */
export interface World {
  git: FakeGit;
  cluster: FakeCluster;
  apps: FakeAppStore;
  clock: FakeClock;
  logs: Record<string, unknown>[];
  finished: string[];
  ctx: SyncContext;
  /** The app as the store has it now. */
  app(name?: string): Application;
}

/** A fresh fake world with one repository. */
export function fakeWorld(): World {
  const git = new FakeGit();
  const cluster = new FakeCluster();
  const apps = new FakeAppStore();
  const clock = new FakeClock();
  const logs: Record<string, unknown>[] = [];
  const finished: string[] = [];
  const logger: Logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const metrics: SyncMetrics = { syncFinished: (result) => void finished.push(result), objectWritten: () => undefined };
  const ctx: SyncContext = { git, clusterFor: () => cluster, apps, logger, clock, metrics, drift: new DriftMemory(), supersedeCheckMs: 3_000 };
  return { git, cluster, apps, clock, logs, finished, ctx, app: (name = "web") => apps.get("team", name)! };
}

/** An Application in namespace `team` reading `path` of the fake repository. */
export function makeApp(opts: { name?: string; path?: string; automated?: { prune?: boolean; selfHeal?: boolean } | false; rollout?: Application["spec"]["rollout"]; interval?: string } = {}): Application {
  const automated = opts.automated === undefined ? { prune: true } : opts.automated;
  return {
    apiVersion: "plumb.dev/v1alpha1",
    kind: "Application",
    metadata: { namespace: "team", name: opts.name ?? "web", generation: 1, uid: `uid-app-${opts.name ?? "web"}` },
    spec: {
      source: { repoURL: REPO, path: opts.path ?? "app" },
      destination: { namespace: "team" },
      ...(opts.interval ? { interval: opts.interval } : {}),
      syncPolicy: automated ? { automated } : {},
      ...(opts.rollout ? { rollout: opts.rollout } : {}),
    },
  };
}

/** A ConfigMap manifest. */
export function configMap(name: string, data: Record<string, string> = { k: "v" }): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join("\n")}\n`;
}

/** A Deployment manifest; `pods` picks how its rollout goes in the fake cluster. */
export function deployment(name: string, opts: { image?: string; pods?: "ready" | "hang" | "crash" } = {}): string {
  const label = opts.pods === "hang" ? `\n        kwok.plumb.dev/ready: "false"` : opts.pods === "crash" ? `\n        kwok.plumb.dev/crash: "true"` : "";
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels:
        app: ${name}${label}
    spec:
      containers: [{name: main, image: "${opts.image ?? "nginx:1"}"}]
`;
}
