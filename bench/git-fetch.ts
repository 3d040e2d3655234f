import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { once } from "node:events";
import { join, resolve } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { promisify } from "node:util";
import type { createGitSource as CreateGitSource } from "../src/git/index.js";
import type { GitServer } from "../test/support/git-server.js";
import { row, type BenchRow } from "./report.js";
import { percentile } from "./stats.js";

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, "..");
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" };

/** What the Git benchmark measured (ms; lag in ms). */
export interface GitFetchResult {
  files: number;
  commits: number;
  /** Plumb: resolve + checkout of the head into an empty cache (median of runs). */
  plumbColdMs: number;
  /** git clone --depth 1 of the same repository from the same server (median of runs). */
  nativeColdMs: number;
  /** Plumb: the next commit (one file changed) with a warm cache. */
  plumbNextMs: number;
  /** git fetch --depth 1 + checkout of that commit in the clone. */
  nativeNextMs: number;
  /** Event-loop delay of this process while Plumb fetched: the worst p99 and max of the calls (ms). */
  lagP99Ms: number;
  lagMaxMs: number;
}

/**
 * Writes a repository of `files` manifests with `commits` commits straight
 * into the server's bare repository with `git fast-import` (seconds, not
 * minutes): the first commit adds every file, each later one changes five.
 */
export async function generateRepo(git: GitServer, name: string, opts: { files: number; commits: number }): Promise<string> {
  const url = await git.createRepo(name);
  const bare = join(git.root, "repos", `${name}.git`);
  const chunks: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const pathOf = (f: number) => `apps/team-${String(f % 50).padStart(2, "0")}/svc-${String(Math.floor(f / 50)).padStart(3, "0")}/config-${f}.yaml`;
  const manifest = (f: number, rev: number) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${f}\n  labels: {team: "team-${f % 50}"}\ndata:\n  revision: "${rev}"\n  settings.json: |\n    {"timeoutSeconds": 30, "retries": 3, "endpoint": "http://svc-${f}:8080/api", "cache": {"ttl": 600}}\n  notes: "${"x".repeat(400)}"\n`;
  for (let c = 1; c <= opts.commits; c++) {
    chunks.push(`commit refs/heads/main\nmark :${c}\ncommitter Bench <bench@plumb.dev> ${1_700_000_000 + c} +0000\n${data(`commit ${c}`)}`);
    if (c > 1) chunks.push(`from :${c - 1}\n`);
    const touched = c === 1 ? Array.from({ length: opts.files }, (_, f) => f) : Array.from({ length: 5 }, (_, j) => (c * 37 + j * 1013) % opts.files);
    for (const f of touched) chunks.push(`M 100644 inline ${pathOf(f)}\n${data(manifest(f, c))}`);
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn("git", ["fast-import", "--quiet"], { cwd: bare, env: { ...GIT_ENV, GIT_DIR: bare }, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed: ${stderr}`))));
    child.stdin.end(chunks.join(""));
  });
  await run("git", ["gc", "--quiet"], { cwd: bare, env: GIT_ENV });
  return url;
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * Plumb's Git layer (createGitSource: resolve over ls-refs, shallow fetch
 * and tree write in a worker thread) against native `git clone --depth 1`
 * of the same generated repository from the same server, cold, `runs`
 * times each; then the next commit with a warm cache against `git fetch
 * --depth 1` + checkout. The event loop of this process is watched while
 * Plumb works: a fetch must not stall reconciles of other apps.
 */
export async function measureGitFetch(input: { git: GitServer; files: number; commits: number; runs: number; entry?: "dist" | "src" }): Promise<GitFetchResult> {
  const { git } = input;
  // the Git layer as the operator runs it: from dist/ when built (the sources
  // run through the type-stripping loader, whose thread also serves the worker)
  const createGitSource = (await import(input.entry === "dist" ? join(REPO, "dist/git/index.js") : "../src/git/index.js")).createGitSource as typeof CreateGitSource;
  const name = `big-${input.files}x${input.commits}`;
  await generateRepo(git, name, input);
  // the same repositories served from another process: this event loop runs Plumb's Git layer only
  const server = await serveElsewhere(git.root);
  const url = `${server.url}/${name}.git`;
  const scratch = mkdtempSync(join(tmpdir(), "plumb-bench-git-"));
  try {
    const plumb: number[] = [];
    const native: number[] = [];
    // a fresh histogram per measured call: a re-enabled one counts the pause in between as delay
    const lags: { p99: number; max: number }[] = [];
    const watched = async <T>(fn: () => Promise<T>): Promise<number> => {
      const lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
      try {
        return await timed(fn);
      } finally {
        lag.disable();
        lags.push({ p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 });
      }
    };
    let source = createGitSource({ cacheDir: join(scratch, "warmup") });
    await source.checkout({ repoURL: url, revision: await source.resolveRevision({ repoURL: url }) }); // load modules, warm the server's caches
    for (let i = 0; i < input.runs; i++) {
      native.push(await timed(() => run("git", ["clone", "--quiet", "--depth", "1", url, join(scratch, `clone-${i}`)], { env: GIT_ENV })));
      source = createGitSource({ cacheDir: join(scratch, `plumb-${i}`) });
      plumb.push(await watched(async () => source.checkout({ repoURL: url, revision: await source.resolveRevision({ repoURL: url }) })));
    }
    const next = await git.commit(name, { files: { "apps/team-00/svc-000/config-0.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-0\ndata:\n  changed: \"yes\"\n" } });
    const plumbNextMs = await watched(async () => source.checkout({ repoURL: url, revision: await source.resolveRevision({ repoURL: url }) }));
    const clone = join(scratch, "clone-0");
    const nativeNextMs = await timed(async () => {
      await run("git", ["fetch", "--quiet", "--depth", "1", "origin", "main"], { cwd: clone, env: GIT_ENV });
      await run("git", ["checkout", "--quiet", "FETCH_HEAD"], { cwd: clone, env: GIT_ENV });
    });
    const head = (await run("git", ["rev-parse", "HEAD"], { cwd: clone, env: GIT_ENV })).stdout.trim();
    if (head !== next) throw new Error(`native fetch ended at ${head}, expected ${next}`);
    return {
      files: input.files,
      commits: input.commits,
      plumbColdMs: percentile(plumb, 50),
      nativeColdMs: percentile(native, 50),
      plumbNextMs,
      nativeNextMs,
      lagP99Ms: Math.max(...lags.map((l) => l.p99)),
      lagMaxMs: Math.max(...lags.map((l) => l.max)),
    };
  } finally {
    server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Starts test/support/git-server-cli.ts on `root` in its own process. */
async function serveElsewhere(root: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", join(REPO, "hack/ts-register.mjs"), join(REPO, "test/support/git-server-cli.ts"), "--root", root], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return { url: line.toString().trim(), stop: () => void child.kill() };
}

/** The table rows of the Git benchmark. */
export function gitFetchRows(g: GitFetchResult): BenchRow[] {
  const bench = `Git: ${g.files} files, ${g.commits} commits`;
  return [
    row({ bench, metric: "cold fetch + checkout", plumb: g.plumbColdMs, reference: g.nativeColdMs, referenceName: "git clone --depth 1", unit: "ms", target: "≤ 2× native", met: g.plumbColdMs <= 2 * g.nativeColdMs }),
    row({ bench, metric: "next commit (warm cache)", plumb: g.plumbNextMs, reference: g.nativeNextMs, referenceName: "git fetch --depth 1 + checkout", unit: "ms" }),
    row({ bench, metric: "event-loop lag p99 during fetch", plumb: g.lagP99Ms, unit: "ms", target: "< 50 ms", met: g.lagP99Ms < 50, note: `max ${g.lagMaxMs.toFixed(1)} ms` }),
  ];
}
