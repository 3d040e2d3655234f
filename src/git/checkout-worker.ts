/**
 * Worker thread entry: runs CheckoutTasks (fetch into the bare cache, then
 * write the tree) off the main thread, one per message, because
 * isomorphic-git indexes packs and inflates objects in JavaScript. The
 * worker stays up between tasks (see worker-pool.ts). Node loads this file as is (compiled
 * .js, or .ts by type stripping under vitest), so sibling modules are loaded
 * by URL with this file's own extension and only types are imported statically.
 */
import { extname } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import type * as FetchCommit from "./fetch-commit.js";
import type * as Http from "./http.js";
import type * as Materialize from "./materialize.js";
import type { CheckoutTask, WorkerMessage } from "./task.js";

// isomorphic-git hashes every object with WebCrypto when it finds it: an
// asynchronous thread-pool round trip per object, which for thousands of
// small objects costs far more than hashing them. This thread needs no
// WebCrypto, so it hides it and isomorphic-git uses its synchronous SHA-1.
Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true, writable: true });

const ext = extname(new URL(import.meta.url).pathname);
const load = (name: string): Promise<unknown> => import(new URL(`./${name}${ext}`, import.meta.url).href);
const post = (message: WorkerMessage): void => parentPort?.postMessage(message);

const [{ ensureCommit }, { materializeTree }, { createHttpClient }] = (await Promise.all([
  load("fetch-commit"),
  load("materialize"),
  load("http"),
])) as [typeof FetchCommit, typeof Materialize, typeof Http];

/** Runs one task and reports its requests, bytes and outcome. */
async function run(task: CheckoutTask): Promise<void> {
  let bytes = 0;
  const http = createHttpClient({
    headers: task.headers,
    counters: { onRequest: () => post({ type: "request" }), onBytes: (n) => (bytes += n) },
  });
  try {
    const cache = {};
    const { fetches } = await ensureCommit({ ...task, http, cache });
    const written = task.materializeTo
      ? await materializeTree({ gitdir: task.gitdir, sha: task.sha, dir: task.materializeTo, cache, ...(task.reuse ? { reuse: task.reuse } : {}) })
      : undefined;
    post({ type: "bytes", bytes });
    post({ type: "done", result: { fetches, ...(written ? { files: written.files, linked: written.linked } : {}) } });
  } catch (err) {
    const e = err as {
      name?: string;
      code?: string;
      message?: string;
      data?: Record<string, unknown>;
      errors?: Array<{ code?: string }>;
    };
    const statusCode = e.data?.statusCode;
    post({ type: "bytes", bytes });
    post({
      type: "error",
      error: {
        name: e.name,
        code: e.code,
        message: e.message ?? String(err),
        ...(typeof statusCode === "number" ? { data: { statusCode } } : {}),
        ...(e.errors ? { errors: e.errors.map((x) => ({ code: x.code })) } : {}),
      },
    });
  }
}

// A task per message, one at a time (the pool hands a worker one task at a
// time); a task given as workerData runs at once.
if (workerData) await run(workerData as CheckoutTask);
parentPort?.on("message", (task: CheckoutTask) => void run(task));
