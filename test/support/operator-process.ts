import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO, waitFor } from "./kube.js";

/**
 * `plumb operator` from the TypeScript sources (Node 24 strips the types; the
 * hook maps ".js" imports to ".ts"), so no build step races between
 * parallel test files. The Dockerfile test covers the built `dist/`.
 */
const ENTRY = ["--import", join(REPO, "hack/ts-register.mjs"), join(REPO, "src/cli/main.ts"), "operator"];

/** One pino log line of the operator. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** An operator running as its own Node process. */
export interface OperatorProcess {
  readonly identity: string;
  readonly child: ChildProcess;
  /** Parsed stdout log lines so far. */
  readonly logs: LogLine[];
  /** Raw stderr (crashes, warnings). */
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Log lines with this message. */
  count(msg: string, where?: (l: LogLine) => boolean): number;
  /** Waits for a log line with this message (and predicate). */
  waitForLog(msg: string, opts?: { where?: (l: LogLine) => boolean; timeoutMs?: number }): Promise<LogLine>;
  /** SIGKILLs the process if it still runs and waits for it to exit. */
  kill(): Promise<void>;
}

/**
 * Starts `plumb operator` with `flags` (kebab-case, as on the command line)
 * and a clean environment (no PLUMB_* or in-cluster variables leak in).
 */
export function startOperatorProcess(opts: { identity: string; flags: Record<string, string>; env?: Record<string, string> }): OperatorProcess {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PLUMB_") && !k.startsWith("KUBERNETES_")) env[k] = v;
  const args = [...ENTRY, ...Object.entries({ identity: opts.identity, listen: "127.0.0.1:0", "log-level": "debug", ...opts.flags }).map(([k, v]) => `--${k}=${v}`)];
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...env, NODE_NO_WARNINGS: "1", ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  const logs: LogLine[] = [];
  let stderr = "";
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (process.env.PLUMB_TEST_LOGS) process.stderr.write(`[${opts.identity}] ${line}\n`);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const count = (msg: string, where?: (l: LogLine) => boolean) => logs.filter((l) => l.msg === msg && (!where || where(l))).length;
  return {
    identity: opts.identity,
    child,
    logs,
    stderr: () => stderr,
    exited,
    count,
    waitForLog: (msg, o = {}) =>
      waitFor(() => logs.find((l) => l.msg === msg && (!o.where || o.where(l))) ?? (child.exitCode !== null ? Promise.reject(new Error(`${opts.identity} exited (${child.exitCode}): ${stderr.slice(-2000)}`)) : undefined), {
        timeoutMs: o.timeoutMs ?? 60_000,
        intervalMs: 50,
        what: `log "${msg}" from ${opts.identity}`,
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
