import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/** The worker file next to this module, with this module's extension (.ts under vitest, .js in dist). */
const WORKER_URL = new URL(`./checkout-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** Young-generation size of a checkout worker's heap (MB). */
const YOUNG_GENERATION_MB = 12;

/**
 * Checkout worker threads, kept warm between tasks. Starting a worker and
 * loading isomorphic-git into it costs a few hundred milliseconds of CPU,
 * which would otherwise be paid on every push. A worker runs one task at a
 * time; idle workers are unreferenced (they never keep the process alive)
 * and end after `idleMs`, so an operator at rest holds no extra heaps.
 */
export class WorkerPool {
  readonly idleMs: number;
  #idle: { worker: Worker; timer: NodeJS.Timeout; onExit: () => void }[] = [];

  constructor(opts: { idleMs?: number } = {}) {
    this.idleMs = opts.idleMs ?? 30_000;
  }

  /** A warm worker, or a new one. */
  acquire(): Worker {
    const warm = this.#idle.pop();
    if (warm) {
      clearTimeout(warm.timer);
      // each release adds one exit listener; take it off again or they pile up
      warm.worker.off("exit", warm.onExit);
      warm.worker.ref();
      return warm.worker;
    }
    // a small young generation: a checkout's garbage is mostly short-lived
    // pack chunks, and the default (tens of MB per worker) shows up in RSS
    return new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  }

  /** Returns a worker that finished its task cleanly (listeners removed by the caller). */
  release(worker: Worker): void {
    worker.unref();
    const entry = {
      worker,
      timer: setTimeout(() => {
        this.#idle = this.#idle.filter((e) => e !== entry);
        void worker.terminate();
      }, this.idleMs),
      onExit: () => {
        clearTimeout(entry.timer);
        this.#idle = this.#idle.filter((e) => e !== entry);
      },
    };
    entry.timer.unref();
    worker.once("exit", entry.onExit);
    this.#idle.push(entry);
  }

  /** Warm workers right now. */
  get size(): number {
    return this.#idle.length;
  }

  /** Ends every idle worker. */
  async close(): Promise<void> {
    const idle = this.#idle.splice(0);
    for (const e of idle) clearTimeout(e.timer);
    await Promise.all(idle.map((e) => e.worker.terminate()));
  }
}
