import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";

/**
 * Runs `fn` with a fresh directory under the work dir and removes it after:
 * edits and generated files go there, never into a (possibly hard-linked)
 * checkout.
 */
export async function withScratchDir<T>(workDir: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const base = path.join(workDir, "render-scratch");
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(path.join(base, "r-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
