/**
 * The reliability suite's operator: the real `plumb operator` command
 * (src/cli/main.ts) as its own Node process, so tests can SIGKILL it at any
 * moment, read its RSS from /proc, and grep every byte it printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { KUBECONFIG, REPO, waitFor } from "../../support/kube.js";
import { scratchDir } from "../../support/scratch.js";

/** One pino log line. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** A running `plumb operator` process. */
export interface PlumbProcess {
  readonly child: ChildProcess;
  /** What runs: the built CLI or the TypeScript sources. */
  readonly build: "dist" | "src";
  /** Base URL of its HTTP API. */
  readonly url: string;
  /** Raw stdout and stderr text so far (for canary greps). */
  output(): string;
  /** Parsed stdout log lines so far. */
  readonly logs: LogLine[];
  /** Number of log lines with this message (optionally from index `from`). */
  count(msg: string | string[], from?: number): number;
  /** Resident set size now, and its peak (VmHWM), in MiB. */
  rss(): { nowMiB: number; peakMiB: number };
  /** SIGKILL: no shutdown code runs. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** A fresh Git cache directory (reuse one across restarts to test cache crash safety). */
export function freshCacheDir(): string {
  return scratchDir("plumb-rel-cache-");
}

/**
 * Starts `plumb operator` on 127.0.0.1:0 without API auth and without leader
 * election, watching `namespace`; resolves once the API listens.
 */
export async function startPlumb(opts: { namespace: string; cacheDir?: string; flags?: Record<string, string>; env?: Record<string, string> }): Promise<PlumbProcess> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PLUMB_") && !k.startsWith("KUBERNETES_")) clean[k] = v;
  const flags = {
    kubeconfig: KUBECONFIG,
    namespace: opts.namespace,
    "leader-elect": "false",
    listen: "127.0.0.1:0",
    "cache-dir": opts.cacheDir ?? freshCacheDir(),
    "git-timeout": "30",
    "log-level": "info",
    ...opts.flags,
  };
  const main = entry();
  const args = [...main, "operator", ...Object.entries(flags).map(([k, v]) => `--${k}=${v}`)];
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...clean, NODE_NO_WARNINGS: "1", PLUMB_API_AUTH: "none", ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  const logs: LogLine[] = [];
  let raw = "";
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    raw += text;
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (process.env.PLUMB_TEST_LOGS) process.stderr.write(`[plumb ${child.pid}] ${line}\n`);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const listening = await waitFor(
    () => logs.find((l) => l.msg === "HTTP API listening") ?? (child.exitCode !== null ? Promise.reject(new Error(`plumb exited ${child.exitCode}: ${raw.slice(-2000)}`)) : undefined),
    { timeoutMs: 60_000, intervalMs: 50, what: "plumb operator listening" },
  );
  const msgs = (m: string | string[]) => (Array.isArray(m) ? m : [m]);
  return {
    child,
    build: main.length === 1 ? "dist" : "src",
    url: String(listening.url),
    output: () => raw,
    logs,
    count: (m, from = 0) => logs.slice(from).filter((l) => msgs(m).includes(l.msg ?? "")).length,
    rss: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
      return { nowMiB: Math.round(kib("VmRSS") / 1024), peakMiB: Math.round(kib("VmHWM") / 1024) };
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/**
 * The built CLI (dist/, as `make test` builds it first) when it is newer than
 * every source file, so RSS figures are those of what ships; else the
 * TypeScript sources through Node's type stripping.
 */
function entry(): string[] {
  const built = join(REPO, "dist/cli/main.js");
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(REPO, "src"))) return [built];
  return ["--import", join(REPO, "hack/ts-register.mjs"), join(REPO, "src/cli/main.ts")];
}

/** Whether the full (slow) reliability suite runs: `make test-full`. */
export const FULL = !!process.env.PLUMB_TEST_FULL;

/**
 * Whether the tests that stop the real kube-apiserver run: `make test-full`
 * runs them in a vitest run of their own, after the rest, since every other
 * test file running meanwhile would lose the API server too.
 */
export const RESTART_APISERVER = !!process.env.PLUMB_TEST_APISERVER_RESTART;

/** What the API-server proxy does with connections. */
export type ProxyMode = "up" | "refuse" | "blackhole";

/** A TCP proxy in front of kube-apiserver, so one operator can lose the API server while other tests keep it. */
export interface ApiProxy {
  /** A kubeconfig like the admin one, pointing at the proxy. */
  readonly kubeconfig: string;
  /**
   * "refuse" closes the listener (connection refused), "blackhole" accepts
   * and never answers; both first cut every open connection (watches too).
   */
  setMode(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (the API server's certificate names that address). */
export async function startApiProxy(): Promise<ApiProxy> {
  const admin = readFileSync(KUBECONFIG, "utf8");
  const upstream = new URL(/server: (\S+)/.exec(admin)![1]!);
  const sockets = new Set<Socket>();
  let mode: ProxyMode = "up";
  const onConnection = (client: Socket): void => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (mode === "blackhole") return;
    const server = connect(Number(upstream.port), upstream.hostname);
    sockets.add(server);
    server.on("close", () => sockets.delete(server));
    server.on("error", () => client.destroy());
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
    client.pipe(server).pipe(client);
  };
  let listener = createServer(onConnection);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(port, "127.0.0.1", () => resolve((listener.address() as AddressInfo).port));
    });
  const port = await listen(0);
  const kubeconfig = join(scratchDir("plumb-proxy-"), "kubeconfig");
  writeFileSync(kubeconfig, admin.replace(/server: \S+/, `server: https://127.0.0.1:${port}`));
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    kubeconfig,
    async setMode(next) {
      cut();
      if (next === "refuse" && mode !== "refuse") await new Promise<void>((r) => listener.close(() => r()));
      if (next !== "refuse" && mode === "refuse") {
        listener = createServer(onConnection);
        await listen(port);
      }
      mode = next;
    },
    async close() {
      cut();
      if (mode !== "refuse") await new Promise<void>((r) => listener.close(() => r()));
    },
  };
}
