import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { BoundedMap } from "../../src/git/bounded-map.js";
import { KeyedLock } from "../../src/git/keyed-lock.js";
import { Semaphore } from "../../src/git/semaphore.js";

describe("KeyedLock", () => {
  it("runs callers with the same key one at a time, in order", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const job = (name: string, ms: number) =>
      lock.run("repo", async () => {
        events.push(`start ${name}`);
        await sleep(ms);
        events.push(`end ${name}`);
      });
    await Promise.all([job("a", 20), job("b", 1), job("c", 1)]);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("runs different keys in parallel and survives a failing holder", async () => {
    const lock = new KeyedLock();
    let concurrent = 0;
    let peak = 0;
    const job = (key: string) =>
      lock.run(key, async () => {
        peak = Math.max(peak, ++concurrent);
        await sleep(10);
        concurrent--;
      });
    await Promise.all([job("a"), job("b"), job("c")]);
    expect(peak).toBe(3);
    await expect(lock.run("a", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await lock.run("a", async () => "after")).toBe("after");
  });
});

describe("Semaphore", () => {
  it("never runs more than its limit at once", async () => {
    const slots = new Semaphore(2);
    let concurrent = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        slots.run(async () => {
          peak = Math.max(peak, ++concurrent);
          await sleep(5);
          concurrent--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe("BoundedMap", () => {
  it("forgets the oldest entries beyond its size", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1).set("b", 2).set("a", 3).set("c", 4);
    expect([...map.keys()]).toEqual(["a", "c"]);
  });
});
