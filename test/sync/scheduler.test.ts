import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import type { ReconcileRequest, ReconcileResult } from "../../src/sync/reconcile.js";
import { Scheduler } from "../../src/sync/scheduler.js";

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

function harness(opts: { concurrency?: number; result?: ReconcileResult; hold?: boolean } = {}) {
  const calls: { key: string; req: ReconcileRequest }[] = [];
  let running = 0;
  let maxRunning = 0;
  const releases: (() => void)[] = [];
  const s = new Scheduler({
    run: async (key, req) => {
      calls.push({ key, req });
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (opts.hold) await new Promise<void>((r) => releases.push(r));
      else await tick(1);
      running--;
      return opts.result ?? { outcome: "synced" };
    },
    intervalOf: () => 60_000,
    retryOf: () => ({ limit: 3, baseMs: 10, factor: 2, maxMs: 100 }),
    concurrency: opts.concurrency ?? 2,
    logger: silentLogger(),
  });
  return { s, calls, releases, max: () => maxRunning };
}

describe("Scheduler", () => {
  it("runs at most `concurrency` apps at once", async () => {
    const h = harness({ concurrency: 2, hold: true });
    for (const k of ["a", "b", "c", "d"]) h.s.enqueue(k);
    await tick();
    expect(h.calls.map((c) => c.key)).toEqual(["a", "b"]);
    expect(h.s.depth).toBe(2);
    h.releases.splice(0).forEach((r) => r());
    await tick();
    expect(h.calls.map((c) => c.key)).toEqual(["a", "b", "c", "d"]);
    h.releases.splice(0).forEach((r) => r());
    await h.s.stop();
    expect(h.max()).toBe(2);
  });

  it("never runs one app twice at once and coalesces requests made meanwhile into one rerun", async () => {
    const h = harness({ hold: true });
    h.s.enqueue("a");
    await tick();
    h.s.enqueue("a");
    h.s.enqueue("a", { manual: true });
    await tick();
    expect(h.calls).toHaveLength(1);
    h.releases.splice(0).forEach((r) => r());
    await tick();
    expect(h.calls).toHaveLength(2);
    expect(h.calls[1]!.req.manual).toBe(true);
    h.releases.splice(0).forEach((r) => r());
    await h.s.stop();
  });

  it.each([
    ["a manual sync that asks to prune", [{ manual: true, prune: true }], { manual: true, prune: true }],
    ["a manual sync that does not", [{ manual: true }], { manual: true }],
    ["a prune request that is not a manual sync", [{ prune: true }], {}],
    ["a manual sync merged with a later one asking to prune", [{ manual: true }, { manual: true, prune: true }], { manual: true, prune: true }],
  ] as const)("passes prune on only for %s", async (_why, reqs, want) => {
    const h = harness({ hold: true });
    h.s.enqueue("busy"); // hold the app's run so the requests below merge
    h.s.enqueue("a");
    await tick();
    for (const r of reqs) h.s.enqueue("a", r);
    h.releases.splice(0).forEach((r) => r());
    await tick();
    const last = h.calls.filter((c) => c.key === "a").at(-1)!.req;
    expect({ ...(last.manual ? { manual: true } : {}), ...(last.prune ? { prune: true } : {}) }).toEqual(want);
    h.releases.splice(0).forEach((r) => r());
    await h.s.stop();
  });

  it("aborts a running reconcile for an urgent request", async () => {
    const h = harness({ hold: true });
    h.s.enqueue("a");
    await tick();
    const signal = h.calls[0]!.req.signal!;
    expect(signal.aborted).toBe(false);
    h.s.enqueue("a", { urgent: true });
    expect(signal.aborted).toBe(true);
    h.releases.splice(0).forEach((r) => r());
    await tick();
    h.releases.splice(0).forEach((r) => r());
    await h.s.stop();
  });

  it("retries a transient failure with backoff but not a terminal one", async () => {
    const transient = harness({ result: { outcome: "failed" } });
    transient.s.enqueue("a");
    await tick(80);
    expect(transient.calls.length).toBeGreaterThanOrEqual(3);
    await transient.s.stop();
    const terminal = harness({ result: { outcome: "failed", terminal: true } });
    terminal.s.enqueue("a");
    await tick(80);
    expect(terminal.calls).toHaveLength(1);
    await terminal.s.stop();
  });

  it("lets other apps run while a reconcile waits on a rollout, and resumes it ahead of new work", async () => {
    const order: string[] = [];
    const rollout: (() => void)[] = [];
    const work: Record<string, () => void> = {};
    const s = new Scheduler({
      run: async (key, req) => {
        order.push(`start ${key}`);
        if (key === "slow") await req.idle!(() => new Promise<void>((r) => rollout.push(r)));
        else await new Promise<void>((r) => (work[key] = r));
        order.push(`end ${key}`);
        return { outcome: "synced" };
      },
      intervalOf: () => 60_000,
      retryOf: () => ({ limit: 3, baseMs: 10, factor: 2, maxMs: 100 }),
      concurrency: 1,
      logger: silentLogger(),
    });
    s.enqueue("slow");
    s.enqueue("a");
    await tick();
    expect(order).toEqual(["start slow", "start a"]); // a runs while slow waits
    expect(s.active).toBe(2);
    expect(s.waiting).toBe(1);
    rollout[0]!(); // slow's rollout is done, but a holds the only slot
    s.enqueue("b");
    await tick();
    expect(order).toEqual(["start slow", "start a"]);
    work.a!();
    await tick();
    expect(order).toEqual(["start slow", "start a", "end a", "end slow", "start b"]);
    work.b!();
    await s.stop();
  });

  it("queues the rollback a failed reconcile asks for at once, unless a manual sync is waiting", async () => {
    for (const manualMeanwhile of [false, true]) {
      const calls: ReconcileRequest[] = [];
      let release: () => void = () => undefined;
      const s = new Scheduler({
        run: async (_key, req) => {
          calls.push(req);
          if (calls.length > 1) return { outcome: "synced" };
          await new Promise<void>((r) => (release = r));
          return { outcome: "failed", next: { rollbackTo: "a".repeat(40) } };
        },
        intervalOf: () => 60_000,
        retryOf: () => ({ limit: 3, baseMs: 60_000, factor: 2, maxMs: 60_000 }),
        logger: silentLogger(),
      });
      s.enqueue("a");
      await tick();
      if (manualMeanwhile) s.enqueue("a", { manual: true });
      release();
      await tick();
      expect(calls).toHaveLength(2);
      expect(calls[1]!.rollbackTo).toBe(manualMeanwhile ? undefined : "a".repeat(40));
      expect(!!calls[1]!.manual).toBe(manualMeanwhile);
      await s.stop();
    }
  });
});
