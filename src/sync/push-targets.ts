import type { Application } from "../model/application.js";
import { normalizeRepoURL } from "../model/repo-url.js";

/** A push announced by a Git webhook. */
export interface PushEvent {
  /** Every URL the sender gave for the repository (clone and web URLs). */
  repoURLs: string[];
  /** The pushed ref (`refs/heads/main`, `refs/tags/v1`), a bare branch name, or undefined when unknown. */
  ref?: string;
  /** The commit the ref now points at, when known. */
  revision?: string;
  /** The repository's default branch, which an app tracking HEAD follows. */
  defaultBranch?: string;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;

/**
 * The Applications a push concerns: same repository (compared in normalized
 * form, so `.git`, case, ports and credentials do not matter) and a
 * targetRevision the pushed ref can move. A push to `feature` does not
 * disturb apps that track `main`. When the sender does not say which ref
 * moved, every app of the repository is refreshed.
 */
export function appsForPush(apps: readonly Application[], push: PushEvent): Application[] {
  const urls = new Set(push.repoURLs.map(normalizeRepoURL));
  return apps.filter((app) => urls.has(normalizeRepoURL(app.spec.source.repoURL)) && refMoves(app.spec.source.targetRevision || "HEAD", push));
}

/** Whether a push of `push.ref` can change what `target` resolves to. */
export function refMoves(target: string, push: PushEvent): boolean {
  const { ref, revision } = push;
  if (FULL_SHA.test(target)) return !ref || target.toLowerCase() === revision?.toLowerCase() || target.toLowerCase() === ref.toLowerCase();
  if (!ref || FULL_SHA.test(ref)) return true; // a bare commit does not say which branch moved
  const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
  const tag = ref.startsWith("refs/tags/") ? ref.slice("refs/tags/".length) : undefined;
  if (target === "HEAD") return tag === undefined && (!push.defaultBranch || (branch ?? ref) === push.defaultBranch);
  if (branch !== undefined) return target === branch || target === ref;
  if (tag !== undefined) return target === tag || target === ref;
  return target === ref || target === `refs/heads/${ref}` || target === `refs/tags/${ref}`;
}
