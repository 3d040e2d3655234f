import { createHash } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { normalizeRepoURL } from "./url.js";

/** Packs after which a bare cache is dropped and re-fetched shallow (every fetch adds one; nothing repacks). */
const MAX_PACKS = 32;

/** The bare cache of a repository: `<cacheDir>/repos/<sha256 of the normalized URL>`. */
export function repoCacheDir(cacheDir: string, repoURL: string): string {
  return join(cacheDir, "repos", createHash("sha256").update(normalizeRepoURL(repoURL)).digest("hex"));
}

/**
 * Drops a bare cache that has accumulated too many packs, so object lookups
 * stay fast; the next fetch starts again from a shallow clone. Returns
 * whether it did.
 */
export async function compactRepoCache(gitdir: string): Promise<boolean> {
  const names = await readdir(join(gitdir, "objects", "pack")).catch(() => [] as string[]);
  if (names.filter((n) => n.endsWith(".pack")).length <= MAX_PACKS) return false;
  await rm(gitdir, { recursive: true, force: true });
  return true;
}
