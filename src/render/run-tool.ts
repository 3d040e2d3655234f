import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { RenderError } from "../errors.js";
import { toolEnvironment, type RenderTools } from "./tools.js";

/** A tool run that exited non-zero: its stderr, for the caller to turn into a coded error. */
export class ToolExitError extends Error {
  readonly stderr: string;
  readonly exitCode: number | null;
  constructor(message: string, opts: { stderr: string; exitCode: number | null }) {
    super(message);
    this.stderr = opts.stderr;
    this.exitCode = opts.exitCode;
  }
}

const slots = new WeakMap<RenderTools, { running: number; waiting: Array<() => void> }>();

/** Waits for one of `tools.concurrency` slots (shared by every render using these tools). */
async function acquire(tools: RenderTools): Promise<() => void> {
  let s = slots.get(tools);
  if (!s) slots.set(tools, (s = { running: 0, waiting: [] }));
  const state = s;
  if (state.running >= Math.max(1, tools.concurrency)) await new Promise<void>((resolve) => state.waiting.push(resolve));
  else state.running++;
  return () => {
    const next = state.waiting.shift();
    if (next) next();
    else state.running--;
  };
}

/** How many tool processes have been started (benchmarks and tests count them). */
export const toolRuns = { count: 0 };

/**
 * Runs a render tool with an argument array (no shell), the scrubbed
 * environment, a time limit and an output limit. Resolves to stdout; throws
 * RenderTimeout or RenderTooLarge, or ToolExitError on a non-zero exit.
 */
export async function runTool(
  tools: RenderTools,
  run: { bin: string; args: string[]; cwd: string; label: string },
): Promise<string> {
  const env = toolEnvironment(tools);
  await mkdir(env.HOME!, { recursive: true });
  const release = await acquire(tools);
  try {
    toolRuns.count++;
    return await spawnBounded(tools, run, env);
  } finally {
    release();
  }
}

function spawnBounded(tools: RenderTools, run: { bin: string; args: string[]; cwd: string; label: string }, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.bin, run.args, { cwd: run.cwd, env, stdio: ["ignore", "pipe", "pipe"], shell: false });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let failure: Error | undefined;
    const stop = (e: Error) => {
      failure ??= e;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => stop(new RenderError(`${run.label} did not finish within ${Math.round(tools.timeoutMs / 1000)}s and was stopped; simplify the render or raise --render-timeout`, { code: "RenderTimeout", data: { limitMs: tools.timeoutMs } })), tools.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > tools.maxOutputBytes) {
        stop(new RenderError(`${run.label} produced more than ${tools.maxOutputBytes} bytes and was stopped; render less or raise --render-max-bytes`, { code: "RenderTooLarge", data: { limit: tools.maxOutputBytes } }));
      } else out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (errBytes < 64 * 1024) err.push(chunk);
      errBytes += chunk.length;
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(failure ?? new ToolExitError(`cannot run ${run.bin}`, { stderr: `cannot run ${run.bin}: ${e.message}`, exitCode: null }));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      const stderr = Buffer.concat(err).toString("utf8");
      if (code !== 0) return reject(new ToolExitError(`${run.label} exited with ${code}`, { stderr, exitCode: code }));
      resolve(Buffer.concat(out).toString("utf8"));
    });
  });
}
