import type { ErrorLike } from "./classify.js";
import { ensureCommit } from "./fetch-commit.js";
import { createHttpClient, type HttpCounters } from "./http.js";
import { materializeTree } from "./materialize.js";
import type { CheckoutTask, CheckoutTaskResult, WorkerMessage } from "./task.js";
import { WorkerPool } from "./worker-pool.js";

/** How a task runs: in a worker thread (default) or on the calling thread. */
export interface RunOptions {
  useWorker: boolean;
  timeoutMs: number;
  counters: HttpCounters;
  /** Warm workers to reuse (default: a fresh worker per task). */
  pool?: WorkerPool;
}

/**
 * Runs a CheckoutTask within the deadline. A worker that overruns or fails
 * is terminated, which also drops its sockets; the cache stays consistent
 * because every file is written atomically. A worker that succeeded goes
 * back to the pool. Rejects with an ErrorLike
 * (`name: "TimeoutError"` on the deadline) for toGitError.
 */
export function runCheckoutTask(task: CheckoutTask, opts: RunOptions): Promise<CheckoutTaskResult> {
  return opts.useWorker ? inWorker(task, opts) : inProcess(task, opts);
}

function inWorker(task: CheckoutTask, opts: RunOptions): Promise<CheckoutTaskResult> {
  const pool = opts.pool ?? new WorkerPool({ idleMs: 0 });
  const worker = pool.acquire();
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void, reuse = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      if (reuse) pool.release(worker);
      else void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () => settle(() => reject(timeoutError(opts.timeoutMs))),
      opts.timeoutMs,
    );
    const onMessage = (message: WorkerMessage): void => {
      if (message.type === "request") opts.counters.onRequest();
      else if (message.type === "bytes") opts.counters.onBytes(message.bytes);
      else if (message.type === "done") settle(() => resolve(message.result), true);
      else settle(() => reject(message.error), true);
    };
    const onError = (err: Error): void => settle(() => reject(err));
    const onExit = (code: number): void => settle(() => reject(new Error(`checkout worker exited with code ${code}`)));
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
    worker.postMessage(task);
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
    const { files, linked } = await materializeTree({ gitdir: task.gitdir, sha: task.sha, dir: task.materializeTo, cache, ...(task.reuse ? { reuse: task.reuse } : {}) });
    return { fetches, files, linked };
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
