import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitSource } from "../../src/git/index.js";
import { commitFiles, git as gitCLI } from "../support/git-repo.js";
import { tempDir } from "./helpers.js";

const FILES = 2_000;

/** A Deployment-sized YAML document with some entropy, so the pack is realistic. */
function manifest(i: number): string {
  const noise = randomBytes(300).toString("base64");
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: team-${i % 20}\ndata:\n  index: "${i}"\n  blob: ${noise}\n`;
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

/** Starts the Git server CLI in its own process, so its work does not count as this thread's lag. */
async function startServerProcess(root: string, repo: string): Promise<{ url: string; child: ChildProcess }> {
  const cli = fileURLToPath(new URL("../support/git-server-cli.ts", import.meta.url));
  const hooks = fileURLToPath(new URL("../../hack/ts-register.mjs", import.meta.url));
  const child = spawn(process.execPath, ["--import", hooks, cli, "--root", root, "--repo", repo], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return { url: line.toString().trim(), child };
}

describe("event loop during a large fetch", () => {
  let child: ChildProcess;
  let url: string;
  let sha: string;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    scratch = await tempDir("plumb-git-lag-");
    const root = join(scratch.dir, "server");
    const started = await startServerProcess(root, "large");
    child = started.child;
    url = `${started.url}/large.git`;
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++) files[`apps/app-${i % 50}/cm-${i}.yaml`] = manifest(i);
    sha = await commitFiles({ bare: join(root, "repos", "large.git"), work: join(scratch.dir, "work"), files });
  }, 120_000);
  afterAll(async () => {
    child.kill("SIGTERM");
    await once(child, "exit");
    await scratch.cleanup();
  });

  it(
    "measures event-loop delay while fetching 2,000 files, in a worker and in process",
    async () => {
      const rows: Array<Record<string, string | number>> = [];
      const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
      for (const useWorker of [true, false]) {
        const git = createGitSource({ cacheDir: join(scratch.dir, useWorker ? "worker" : "inline"), useWorker });
        const histogram = monitorEventLoopDelay({ resolution: 1 });
        histogram.enable();
        const started = performance.now();
        const resolved = await git.resolveRevision({ repoURL: url, revision: "main" });
        const resolvedAt = performance.now();
        const { dir } = await git.checkout({ repoURL: url, revision: resolved });
        const checkedOutAt = performance.now();
        histogram.disable();
        await git.checkout({ repoURL: url, revision: resolved });
        const cachedAt = performance.now();
        expect(resolved).toBe(sha);
        expect(await countFiles(dir)).toBe(FILES);
        rows.push({
          mode: useWorker ? "worker" : "in-process",
          resolveMs: Math.round(resolvedAt - started),
          checkoutMs: Math.round(checkedOutAt - resolvedAt),
          cachedCheckoutMs: Math.round(cachedAt - checkedOutAt),
          lagP50Ms: ms(histogram.percentile(50)),
          lagP99Ms: ms(histogram.percentile(99)),
          lagMaxMs: ms(histogram.max),
          packKB: Math.round(git.stats().bytes / 1024),
        });
      }
      const nativeStart = performance.now();
      await gitCLI(["clone", "--quiet", "--depth", "1", url, join(scratch.dir, "native")]);
      rows.push({ mode: "native git clone --depth 1", checkoutMs: Math.round(performance.now() - nativeStart) });
      console.log(`event loop during checkout of ${FILES} files:`);
      console.table(rows);
    },
    300_000,
  );
});
