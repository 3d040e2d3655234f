import type { Application, ApplicationStatus } from "../model/application.js";
import type { KubeObject } from "../model/object.js";
import type { ClusterCapabilities } from "../render/index.js";

/** Credentials for a Git repository (from `spec.source.secretRef`); never logged. */
export interface RepoCredentials {
  username?: string;
  password?: string;
  bearerToken?: string;
}

/** What sync needs from Git (implemented by src/git). */
export interface GitPort {
  /**
   * The commit a branch, tag, HEAD or SHA names on the remote, cheaply (ref
   * listing). An answer to a listing sent at or after `since` (epoch ms)
   * may be reused; default: ask now.
   */
  resolveRevision(req: { repoURL: string; revision?: string; credentials?: RepoCredentials; since?: number }): Promise<string>;
  /** The commit's tree on disk (fetched and materialized once, then cached). */
  checkout(req: { repoURL: string; revision: string; credentials?: RepoCredentials }): Promise<{ dir: string }>;
  /** The oid of the tree at `path` in a commit (fetched if needed); undefined when the path does not exist. */
  treeOid(req: { repoURL: string; sha: string; path: string; credentials?: RepoCredentials }): Promise<string | undefined>;
  /** Whether the tree at `path` holds a symlink anywhere below it (its render may then read files outside it). */
  symlinksIn(req: { repoURL: string; sha: string; path: string; credentials?: RepoCredentials }): Promise<boolean>;
}

/** A chart version a chart repository serves, with the sha256 of its archive. */
export interface ChartVersion {
  version: string;
  digest: string;
}

/** What sync needs from Helm chart repositories (implemented by src/charts). */
export interface ChartRepoPort {
  /**
   * The newest version of `chart` matching `version` (exact or a semver
   * range; default the newest release). An index read at or after `since`
   * (epoch ms) may be reused; default: read it now.
   */
  resolveChart(req: { repoURL: string; chart: string; version?: string | undefined; credentials?: RepoCredentials | undefined; since?: number }): Promise<ChartVersion>;
  /** The chart archive on disk (downloaded once, verified against `digest`). */
  fetchChart(req: { repoURL: string; chart: string; version: string; digest: string; credentials?: RepoCredentials | undefined }): Promise<string>;
}

/** A kind as the API server serves it. */
export interface KindRef {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
}

/** Which live object to read, and how. */
export interface LiveRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  fresh?: boolean;
  trustCache?: boolean;
}

/** What sync needs from the cluster, scoped to one identity (the operator or an app's ServiceAccount). */
export interface ClusterPort {
  /** The served kind for an apiVersion/kind, or undefined (e.g. CRD not installed yet). */
  kindOf(apiVersion: string, kind: string): Promise<KindRef | undefined>;
  /** Scope from discovery's cache only (pure, for render); refresh with kindOf first. */
  scopeOf(group: string, kind: string): "Namespaced" | "Cluster" | undefined;
  /**
   * The live object (watch cache when possible, GET otherwise); undefined when
   * absent. `fresh` always GETs. `trustCache` answers undefined without a GET
   * when the kind is watched and the cache lacks the object (it is absent, or
   * exists without Plumb's label).
   */
  getLive(ref: LiveRef): Promise<KubeObject | undefined>;
  /** Server-side apply as field manager `plumb`; with dryRun the server persists nothing. */
  apply(obj: KubeObject, opts?: { dryRun?: boolean }): Promise<KubeObject>;
  /** Deletes an object if it is still the one with `uid`. */
  delete(ref: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string }): Promise<void>;
  /**
   * Calls back whenever a managed object changes (only those whose
   * `keyString` is in `keys`, when given); returns an unsubscribe function.
   */
  onChange(listener: (obj: KubeObject) => void, keys?: Iterable<string>): () => void;
  /** The server's version and served APIs, for Helm's `.Capabilities` (optional: without it Helm's defaults apply). */
  capabilities?(): Promise<ClusterCapabilities>;
}

/** Applications: reading credentials, writing status and Events. */
export interface AppStorePort {
  /** Current state of an Application from the informer cache. */
  get(namespace: string, name: string): Application | undefined;
  /** Every Application in the cache. */
  list(): Application[];
  /** Calls back on every add/update/delete of an Application; returns an unsubscribe function. */
  subscribe(listener: (type: "add" | "update" | "delete", app: Application) => void): () => void;
  /** Writes status through the status subresource; a no-op when nothing changed. */
  writeStatus(app: Application, status: ApplicationStatus): Promise<void>;
  /** Records a Kubernetes Event on the Application. */
  recordEvent(app: Application, event: { type: "Normal" | "Warning"; reason: string; message: string }): Promise<void>;
  /** Reads repository credentials from a Secret in the app's namespace. */
  repoCredentials(namespace: string, secretName: string): Promise<RepoCredentials>;
}

/**
 * Time and timers, injectable for tests: nothing in sync/ reads Date.now() or
 * calls setTimeout/setInterval itself. Timers never keep the process alive.
 */
export interface Clock {
  now(): Date;
  /** Calls `fn` once after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

/** A caller of the HTTP API, as the API server's TokenReview names it. */
export interface ApiUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Verbs the HTTP API checks on `applications.plumb.dev`. */
export type ApiVerb = "get" | "update";

/**
 * Who may use the HTTP API (implemented by src/kube/auth with TokenReview and
 * SubjectAccessReview): the API never sees Kubernetes, only this port.
 */
export interface Authorizer {
  /** The user a bearer token belongs to; undefined when the token is invalid or expired. */
  authenticate(token: string): Promise<ApiUser | undefined>;
  /** Whether the user may `verb` Applications in `namespace`. */
  allowed(user: ApiUser, verb: ApiVerb, namespace: string): Promise<boolean>;
}

/** A parent whose owned objects are wanted (a live object the inventory names). */
export interface OwnerRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Objects the cluster created on behalf of an app's objects (a Deployment's
 * ReplicaSets and their Pods, a Job's Pods): the dashboard's resource tree.
 * Implemented by src/kube from ownerReferences; read only when asked.
 */
export interface OwnedObjectsPort {
  /** The live parents and every object owned by them, directly or through another owned object. */
  ownedBy(parents: OwnerRef[]): Promise<{ parents: KubeObject[]; owned: KubeObject[] }>;
}
