import { describe, expect, it } from "vitest";
import { WorkerPool } from "../../src/git/worker-pool.js";

describe("WorkerPool", () => {
  it("reuses a warm worker without piling up exit listeners", async () => {
    const pool = new WorkerPool({ idleMs: 60_000 });
    const first = pool.acquire();
    const base = first.listenerCount("exit");
    for (let i = 0; i < 20; i++) {
      pool.release(first);
      expect(pool.acquire()).toBe(first);
    }
    expect(first.listenerCount("exit")).toBe(base);
    pool.release(first);
    expect(pool.size).toBe(1);
    await pool.close();
    expect(pool.size).toBe(0);
  });
});
