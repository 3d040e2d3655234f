import type { Application } from "../model/application.js";
import { SpecError } from "../errors.js";
import { redactURL } from "../model/repo-url.js";
import { durationMs } from "./duration.js";
import type { SyncContext } from "./context.js";
import type { RepoCredentials } from "./ports.js";

/** A commit of the app's repository, ready to render. */
export interface FetchedSource {
  /** Commit SHA the wanted branch/tag/HEAD resolves to. */
  headRevision: string;
  /** Commit actually deployed (head, or a rollback target). */
  revision: string;
  /** Tree oid of spec.source.path at `revision`, undefined when the path is missing. */
  pathTree: string | undefined;
  /**
   * What the render of the app's path depends on in Git: its tree when the
   * path is self-contained, else the whole commit (a symlink may point
   * elsewhere in the repository). Equal keys render equally.
   */
  contentKey: string;
  /**
   * The commit's tree on disk (checked out on first call; a remembered render
   * never needs it); for a chart repository, the verified chart archive.
   */
  checkout(): Promise<string>;
  /** The Git object id at a root-relative path of `revision` (undefined when absent, or for a chart repository). */
  objectAt(path: string): Promise<string | undefined>;
  /** Whether the tree at a root-relative path holds a symlink (its render may read beyond it). */
  symlinksAt(path: string): Promise<boolean>;
}

const CHART_REVISION = /^(.+)@sha256:([0-9a-f]{64})$/;

/** Whether the app deploys a chart from a Helm chart repository rather than Git. */
export function isChartSource(app: Application): boolean {
  return !!app.spec.source.chart;
}

/** Reads the repository credentials an app names, if any. */
export async function credentialsOf(ctx: SyncContext, app: Application): Promise<RepoCredentials | undefined> {
  const ref = app.spec.source.secretRef?.name;
  return ref ? ctx.apps.repoCredentials(app.metadata.namespace ?? "default", ref) : undefined;
}

/**
 * Resolves the wanted revision on the remote (cheap ref listing). An answer
 * to a listing sent at or after `since` (epoch ms; from any app of the same
 * repository) may be reused; by default the server is asked now.
 */
export async function resolveHead(ctx: SyncContext, app: Application, opts: { since?: number } = {}): Promise<string> {
  const { repoURL, targetRevision } = app.spec.source;
  if (!/^https?:\/\//i.test(repoURL)) {
    throw new SpecError(`spec.source.repoURL must be an http(s) URL, got "${redactURL(repoURL)}"`, { code: "InvalidSpec", data: { field: "spec.source.repoURL" } });
  }
  if (isChartSource(app)) {
    if (!ctx.charts) throw new SpecError("this Plumb cannot read chart repositories", { data: { field: "spec.source.chart" } });
    const chart = await ctx.charts.resolveChart({ repoURL, chart: app.spec.source.chart!, version: targetRevision, credentials: await credentialsOf(ctx, app), ...(opts.since !== undefined ? { since: opts.since } : {}) });
    return `${chart.version}@sha256:${chart.digest}`;
  }
  return ctx.git.resolveRevision({ repoURL, revision: targetRevision || "HEAD", credentials: await credentialsOf(ctx, app), ...(opts.since !== undefined ? { since: opts.since } : {}) });
}

/**
 * How old a head a periodic reconcile may reuse: a tenth of the app's
 * interval, at most 15 s. A hundred apps polling one repository then cost
 * about ten ref listings per interval instead of a hundred, while a push is
 * still seen within 1.1 intervals; webhooks and API requests always ask anew.
 */
export function headMaxAgeMs(app: Application): number {
  let interval: number;
  try {
    interval = durationMs(app.spec.interval, 180_000);
  } catch {
    interval = 180_000;
  }
  return Math.min(interval / 10, 15_000);
}

/**
 * Fetches `revision` (default: the resolved head) into the repository cache
 * and notes the tree of the app's path, so an unchanged path is recognised
 * without writing the commit's files; those are checked out on demand.
 */
export async function fetchSource(ctx: SyncContext, app: Application, opts: { headRevision: string; revision?: string }): Promise<FetchedSource> {
  const { repoURL } = app.spec.source;
  const revision = opts.revision ?? opts.headRevision;
  const credentials = await credentialsOf(ctx, app);
  if (isChartSource(app)) return chartSource(ctx, app, { headRevision: opts.headRevision, revision, credentials });
  const path = app.spec.source.path ?? ".";
  const at = { repoURL, sha: revision, path, ...(credentials ? { credentials } : {}) };
  const pathTree = await ctx.git.treeOid(at);
  const root = path.split("/").every((p) => p === "" || p === ".");
  const selfContained = pathTree !== undefined && (root || !(await ctx.git.symlinksIn(at)));
  let dir: Promise<string> | undefined;
  return {
    headRevision: opts.headRevision,
    revision,
    pathTree,
    contentKey: selfContained ? `tree ${pathTree}` : `commit ${revision}`,
    checkout: () => (dir ??= ctx.git.checkout({ repoURL, revision, ...(credentials ? { credentials } : {}) }).then((c) => c.dir)),
    objectAt: (p) => ctx.git.treeOid({ ...at, path: p }),
    symlinksAt: (p) => ctx.git.symlinksIn({ ...at, path: p }),
  };
}

/** A chart repository's `<version>@sha256:<digest>` as a source: the archive is fetched on demand. */
function chartSource(ctx: SyncContext, app: Application, opts: { headRevision: string; revision: string; credentials: RepoCredentials | undefined }): FetchedSource {
  const m = CHART_REVISION.exec(opts.revision);
  if (!m || !ctx.charts) throw new SpecError(`"${opts.revision}" is not a chart revision (<version>@sha256:<digest>)`, { data: { field: "revision" } });
  const [, version, digest] = m as unknown as [string, string, string];
  const charts = ctx.charts;
  let archive: Promise<string> | undefined;
  return {
    headRevision: opts.headRevision,
    revision: opts.revision,
    pathTree: digest,
    contentKey: `chart ${opts.revision}`,
    checkout: () => (archive ??= charts.fetchChart({ repoURL: app.spec.source.repoURL, chart: app.spec.source.chart!, version, digest, credentials: opts.credentials })),
    objectAt: () => Promise.resolve(undefined),
    symlinksAt: () => Promise.resolve(false),
  };
}
