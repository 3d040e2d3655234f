/**
 * Limits how many tasks run at once (fetch workers: each holds a thread, a
 * pack in memory and sockets), queueing the rest in arrival order.
 */
export class Semaphore {
  private readonly limit: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /** Allows `limit` (at least 1) tasks at a time. */
  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  /** Runs `fn` once a slot is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
