import type { Application } from "../model/application.js";
import { SpecError } from "../errors.js";
import type { SyncContext } from "./context.js";
import type { RepoCredentials } from "./ports.js";

/** A commit of the app's repository, on disk. */
export interface FetchedSource {
  /** Commit SHA the wanted branch/tag/HEAD resolves to. */
  headRevision: string;
  /** Commit actually checked out (head, or a rollback target). */
  revision: string;
  /** Checkout root on disk. */
  dir: string;
  /** Tree oid of spec.source.path at `revision`, undefined when the path is missing. */
  pathTree: string | undefined;
}

/** Reads the repository credentials an app names, if any. */
export async function credentialsOf(ctx: SyncContext, app: Application): Promise<RepoCredentials | undefined> {
  const ref = app.spec.source.secretRef?.name;
  return ref ? ctx.apps.repoCredentials(app.metadata.namespace ?? "default", ref) : undefined;
}

/** Resolves the wanted revision on the remote (cheap ref listing). */
export async function resolveHead(ctx: SyncContext, app: Application): Promise<string> {
  const { repoURL, targetRevision } = app.spec.source;
  if (!/^https?:\/\//i.test(repoURL)) {
    throw new SpecError(`spec.source.repoURL must be an http(s) URL, got "${redactURL(repoURL)}"`, { code: "InvalidSpec", data: { field: "spec.source.repoURL" } });
  }
  return ctx.git.resolveRevision({ repoURL, revision: targetRevision || "HEAD", credentials: await credentialsOf(ctx, app) });
}

/**
 * Fetches and checks out `revision` (default: the resolved head), and notes
 * the tree of the app's path so unchanged paths can be recognised.
 */
export async function fetchSource(ctx: SyncContext, app: Application, opts: { headRevision: string; revision?: string }): Promise<FetchedSource> {
  const { repoURL } = app.spec.source;
  const revision = opts.revision ?? opts.headRevision;
  const credentials = await credentialsOf(ctx, app);
  const { dir } = await ctx.git.checkout({ repoURL, revision, credentials });
  const pathTree = await ctx.git.treeOid({ repoURL, sha: revision, path: app.spec.source.path ?? "." });
  return { headRevision: opts.headRevision, revision, dir, pathTree };
}

/** A URL without userinfo, safe to show. */
export function redactURL(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//");
}
