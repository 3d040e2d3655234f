import git from "isomorphic-git";
import type { HttpClient } from "isomorphic-git";
import { GitError } from "../errors.js";
import { redactURL } from "./url.js";

const FULL_SHA = /^[0-9a-f]{40}$/i;
const SHORT_SHA = /^[0-9a-f]{7,39}$/i;

/** A revision as found on the server. */
export interface ResolvedRevision {
  /** Full commit SHA (tags peeled). */
  sha: string;
  /** The ref it came from (e.g. refs/heads/main); absent for a SHA given as is. */
  ref?: string;
}

/**
 * Resolves a branch, tag, `HEAD`, full ref name or full SHA with protocol v2
 * `ls-refs` and a ref prefix, so the server sends one or two refs instead of
 * all of them. Branches win over tags of the same name unless `preferRef`
 * (the ref that matched last time) says otherwise. A full SHA is returned as
 * is and verified on checkout. Unknown revisions are RevisionNotFound (terminal).
 */
export async function resolveOnServer(args: {
  url: string;
  revision: string;
  http: HttpClient;
  preferRef?: string;
}): Promise<ResolvedRevision> {
  const revision = args.revision.trim() || "HEAD";
  if (FULL_SHA.test(revision)) return { sha: revision.toLowerCase() };
  if (revision === "HEAD") {
    const [head] = await git.listServerRefs({ http: args.http, url: args.url, prefix: "HEAD", symrefs: true });
    if (head?.ref === "HEAD" && head.oid) return { sha: head.oid, ref: head.target ?? "HEAD" };
    throw notFound(args.url, revision, "the repository has no HEAD commit (is it empty?)");
  }
  let candidates = revision.startsWith("refs/") ? [revision] : [`refs/heads/${revision}`, `refs/tags/${revision}`];
  const preferred = args.preferRef;
  if (preferred && candidates.includes(preferred)) {
    candidates = [preferred, ...candidates.filter((c) => c !== preferred)];
  }
  for (const ref of candidates) {
    const refs = await git.listServerRefs({ http: args.http, url: args.url, prefix: ref, peelTags: true });
    const match = refs.find((r) => r.ref === ref);
    if (match) return { sha: match.peeled ?? match.oid, ref };
  }
  const hint = SHORT_SHA.test(revision)
    ? "abbreviated SHAs cannot be resolved remotely; use the full 40-character SHA"
    : "no branch or tag has that name; check spec.source.targetRevision";
  throw notFound(args.url, revision, hint);
}

function notFound(url: string, revision: string, hint: string): GitError {
  return new GitError(`revision "${revision}" not found in ${redactURL(url)}: ${hint}`, {
    code: "RevisionNotFound",
    terminal: true,
    data: { repoURL: redactURL(url), revision },
  });
}
