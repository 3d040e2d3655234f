import { mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";

/**
 * Materialized commits on disk, content-addressed: `<root>/<name>/` holds the
 * full tree of one commit (the name is `<name>-<repository id>`, so a SHA
 * only ever shows a tree fetched from that repository) and is namered by all callers.
 * Trees are built in a temporary directory and renamed into place, so a crash
 * never leaves half a tree; only the most recently used `keep` are kept.
 */
export class WorktreeStore {
  private readonly root: string;
  private readonly keep: number;
  private cleaned: Promise<void> | undefined;

  /** `root` holds one directory per commit; `keep` is how many to keep. */
  constructor(root: string, keep: number) {
    this.root = root;
    this.keep = Math.max(1, keep);
  }

  /** The directory of a tree, when it is already materialized (marked as just used). */
  async find(name: string): Promise<string | undefined> {
    const dir = join(this.root, name);
    try {
      const now = new Date();
      await utimes(dir, now, now);
      return dir;
    } catch {
      return undefined;
    }
  }

  /**
   * The most recently used tree whose name ends with `suffix` (another
   * commit of the same repository), to reuse unchanged files from.
   */
  async latest(suffix: string): Promise<{ dir: string; name: string } | undefined> {
    const names = (await readdir(this.root).catch(() => [] as string[])).filter((n) => !n.startsWith(".") && n.endsWith(suffix));
    let best: { dir: string; name: string; at: number } | undefined;
    for (const name of names) {
      const at = (await stat(join(this.root, name)).catch(() => undefined))?.mtimeMs;
      if (at !== undefined && (!best || at > best.at)) best = { dir: join(this.root, name), name, at };
    }
    return best && { dir: best.dir, name: best.name };
  }

  /** A fresh path (not created) to build a tree in. */
  async tempPath(name: string): Promise<string> {
    this.cleaned ??= this.removeStaleTemps();
    await this.cleaned;
    return join(this.root, `.tmp-${name}-${process.pid}-${Math.random().toString(36).slice(2)}`);
  }

  /** Moves a finished tree into place (or drops it if another caller won) and prunes old trees. */
  async publish(tmp: string, name: string): Promise<string> {
    const dir = join(this.root, name);
    try {
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if ((await this.find(name)) === undefined) throw err;
    }
    await this.prune(name);
    return dir;
  }

  /** Removes a temporary tree after a failure. */
  async discard(tmp: string): Promise<void> {
    await rm(tmp, { recursive: true, force: true });
  }

  private async prune(current: string): Promise<void> {
    const names = (await readdir(this.root)).filter((n) => !n.startsWith(".") && n !== current);
    if (names.length < this.keep) return;
    const dated = await Promise.all(
      names.map(async (name) => ({ name, at: (await stat(join(this.root, name)).catch(() => undefined))?.mtimeMs ?? 0 })),
    );
    dated.sort((a, b) => b.at - a.at);
    for (const { name } of dated.slice(this.keep - 1)) {
      await rm(join(this.root, name), { recursive: true, force: true });
    }
  }

  /** Temporary trees left by a crashed process are garbage. */
  private async removeStaleTemps(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    for (const name of await readdir(this.root)) {
      if (name.startsWith(".tmp-")) await rm(join(this.root, name), { recursive: true, force: true });
    }
  }
}
