import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ErrorLike } from "./classify.js";
import { ensureCommit } from "./fetch-commit.js";
import { createHttpClient, type HttpCounters } from "./http.js";
import { materializeTree } from "./materialize.js";
import type { CheckoutTask, CheckoutTaskResult, WorkerMessage } from "./task.js";

/** The worker file next to this module, with this module's extension (.ts under vitest, .js in dist). */
const WORKER_URL = new URL(`./checkout-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** How a task runs: in a worker thread (default) or on the calling thread. */
export interface RunOptions {
  useWorker: boolean;
  timeoutMs: number;
  counters: HttpCounters;
}

/**
 * Runs a CheckoutTask within the deadline. A worker that overruns is
 * terminated, which also drops its sockets; the cache stays consistent
 * because every file is written atomically. Rejects with an ErrorLike
 * (`name: "TimeoutError"` on the deadline) for toGitError.
 */
export function runCheckoutTask(task: CheckoutTask, opts: RunOptions): Promise<CheckoutTaskResult> {
  return opts.useWorker ? inWorker(task, opts) : inProcess(task, opts);
}

function inWorker(task: CheckoutTask, opts: RunOptions): Promise<CheckoutTaskResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: task });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () => settle(() => reject(timeoutError(opts.timeoutMs))),
      opts.timeoutMs,
    );
    worker.on("message", (message: WorkerMessage) => {
      if (message.type === "request") opts.counters.onRequest();
      else if (message.type === "bytes") opts.counters.onBytes(message.bytes);
      else if (message.type === "done") settle(() => resolve(message.result));
      else settle(() => reject(message.error));
    });
    worker.on("error", (err) => settle(() => reject(err)));
    worker.on("exit", (code) => settle(() => reject(new Error(`checkout worker exited with code ${code}`))));
  });
}

async function inProcess(task: CheckoutTask, opts: RunOptions): Promise<CheckoutTaskResult> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(timeoutError(opts.timeoutMs));
    }, opts.timeoutMs);
  });
  const work = async (): Promise<CheckoutTaskResult> => {
    const http = createHttpClient({ headers: task.headers, signal: abort.signal, counters: opts.counters });
    const cache = {};
    const { fetches } = await ensureCommit({ ...task, http, cache });
    if (!task.materializeTo) return { fetches };
    const { files } = await materializeTree({ gitdir: task.gitdir, sha: task.sha, dir: task.materializeTo, cache });
    return { fetches, files };
  };
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function timeoutError(ms: number): ErrorLike {
  return { name: "TimeoutError", message: `no answer within ${ms} ms` };
}
