import { describe, expect, it } from "vitest";
import { WorkerPool } from "../../src/git/worker-pool.js";

describe("WorkerPool", () => {
  it("hands a returned worker out again and ends idle workers after idleMs", async () => {
    const pool = new WorkerPool({ idleMs: 50 });
    const worker = pool.acquire();
    pool.release(worker);
    expect(pool.size).toBe(1);
    expect(pool.acquire()).toBe(worker);
    expect(pool.size).toBe(0);
    pool.release(worker);
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    await exited;
    expect(pool.size).toBe(0);
    expect(pool.acquire()).not.toBe(worker);
    await pool.close();
  });
});
