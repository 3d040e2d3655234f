import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ProcessMonitor } from "./process-stats.js";

const REPO = resolve(import.meta.dirname, "..");

/** One Prometheus sample: metric name, labels, value. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (no timestamps, no exemplars needed). */
export function parseMetrics(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sums a metric's samples by one label. */
export function sumBy(samples: readonly MetricSample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) if (s.name === name) out[s.labels[label] ?? ""] = (out[s.labels[label] ?? ""] ?? 0) + s.value;
  return out;
}

/** The value of a metric with no labels (or the sum over all its series). */
export function valueOf(samples: readonly MetricSample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
}

/** `plumb operator` running as a child process, with its API, metrics and /proc stats. */
export interface BenchOperator {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly monitor: ProcessMonitor;
  readonly webhookSecret: string;
  readonly logFile: string;
  /** Log lines so far saying the API server could not be reached (someone restarted the cluster: numbers are disturbed). */
  apiOutages(): number;
  /** Scrapes /metrics. */
  metrics(): Promise<MetricSample[]>;
  /** Stops it with SIGTERM (a CPU profile, when asked for, is written on exit) and removes its cache. */
  stop(): Promise<void>;
}

/**
 * Node flags the operator runs with, as in the container image: a small
 * young generation keeps the heap (and RSS) close to the live data.
 */
export const NODE_FLAGS = ["--max-semi-space-size=4"];

/** Which build of the operator runs: dist/ (what `make bench` builds) or the TypeScript sources. */
export type OperatorEntry = "dist" | "src";

/** The default entry: dist/ when it has been built, else the sources. */
export function defaultEntry(): OperatorEntry {
  return existsSync(join(REPO, "dist/cli/main.js")) ? "dist" : "src";
}

function entryArgs(entry: OperatorEntry): string[] {
  if (entry === "dist") return [join(REPO, "dist/cli/main.js")];
  return ["--import", join(REPO, "hack/ts-register.mjs"), join(REPO, "src/cli/main.ts")];
}

/**
 * Starts `plumb operator` as its own process (so RSS and CPU are its own),
 * watching Applications in `namespace` only, without leader election or API
 * auth, with a webhook secret. Logs go to `logFile`. With `cpuProfileDir`
 * Node writes a .cpuprofile there when it exits.
 */
export async function startBenchOperator(opts: {
  namespace: string;
  kubeconfig: string;
  logFile: string;
  logLevel?: string;
  cpuProfileDir?: string;
  entry?: OperatorEntry;
  /** Node flags (default NODE_FLAGS, as the container image runs it). */
  nodeFlags?: string[];
  flags?: Record<string, string>;
}): Promise<BenchOperator> {
  const cacheDir = mkdtempSync(join(tmpdir(), "plumb-bench-cache-"));
  const webhookSecret = "bench-webhook-secret";
  const flags: Record<string, string> = {
    kubeconfig: opts.kubeconfig,
    namespace: opts.namespace,
    "leader-elect": "false",
    listen: "127.0.0.1:0",
    "api-auth": "none",
    "webhook-secret": webhookSecret,
    "cache-dir": cacheDir,
    "log-level": opts.logLevel ?? "info",
    ...opts.flags,
  };
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PLUMB_") && !k.startsWith("KUBERNETES_")) env[k] = v;
  const nodeArgs = [...(opts.nodeFlags ?? NODE_FLAGS), ...(opts.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfileDir}`] : [])];
  if (opts.cpuProfileDir) mkdirSync(opts.cpuProfileDir, { recursive: true });
  const args = [...nodeArgs, ...entryArgs(opts.entry ?? defaultEntry()), "operator", ...Object.entries(flags).map(([k, v]) => `--${k}=${v}`)];
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...env, NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile);
  child.stdout!.pipe(log);
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
    log.write(c);
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let partial = "";
    const onData = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.includes("HTTP API listening")) continue;
        try {
          child.stdout!.off("data", onData);
          resolveUrl((JSON.parse(line) as { url: string }).url);
        } catch (err) {
          reject(err as Error);
        }
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`operator exited (${code}) before listening: ${stderr.slice(-2000)}`)));
    setTimeout(() => reject(new Error(`operator did not start listening within 60 s: ${stderr.slice(-2000)}`)), 60_000).unref();
  });
  // ready once the Application cache has synced
  for (const deadline = Date.now() + 60_000; ; ) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`operator not ready within 60 s: ${stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const monitor = new ProcessMonitor(child.pid!);
  return {
    url,
    pid: child.pid!,
    child,
    monitor,
    webhookSecret,
    logFile: opts.logFile,
    apiOutages: () => (existsSync(opts.logFile) ? readFileSync(opts.logFile, "utf8").split("API server unreachable").length - 1 : 0),
    metrics: async () => parseMetrics(await (await fetch(`${url}/metrics`)).text()),
    stop: async () => {
      monitor.stop();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(killer);
      log.end();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
