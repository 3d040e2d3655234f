import { describe, expect, it } from "vitest";
import { SpecError } from "../../src/errors.js";
import type { Application, ApplicationSpec } from "../../src/model/application.js";
import { silentLogger } from "../../src/log.js";
import { Scheduler } from "../../src/sync/scheduler.js";
import { validateSpec } from "../../src/sync/spec.js";

const app = (spec: Partial<ApplicationSpec>): Application => ({
  apiVersion: "plumb.dev/v1alpha1",
  kind: "Application",
  metadata: { name: "a", namespace: "n" },
  spec: { source: { repoURL: "https://git.example/r.git" }, ...spec },
});

describe("validateSpec", () => {
  it.each<[string, Partial<ApplicationSpec>]>([
    ["no durations at all", {}],
    ["ordinary durations", { interval: "3m", rollout: { timeout: "5m" }, syncPolicy: { retry: { limit: 3, backoff: { duration: "5s", maxDuration: "3m" } } } }],
    ["the longest supported interval", { interval: "596h" }],
    ["a zero retry backoff (the scheduler waits at least a second)", { syncPolicy: { retry: { backoff: { duration: "0s" } } } }],
  ])("accepts %s", (_label, spec) => {
    expect(() => validateSpec(app(spec))).not.toThrow();
  });

  it.each<[string, Partial<ApplicationSpec>, string, RegExp]>([
    ["an interval past what a timer can wait (it would fire at once, in a loop)", { interval: "1000h" }, "spec.interval", /longest supported duration is 596h/],
    ["a zero interval", { interval: "0s" }, "spec.interval", /must be longer than zero/],
    ["a zero rollout timeout (every gate would fail at once)", { rollout: { timeout: "0ms" } }, "spec.rollout.timeout", /must be longer than zero/],
    ["a duration the schema would have refused", { interval: "3 minutes" }, "spec.interval", /invalid duration "3 minutes"/],
    ["an overflowing backoff", { syncPolicy: { retry: { backoff: { maxDuration: "99999h" } } } }, "spec.syncPolicy.retry.backoff.maxDuration", /596h/],
  ])("refuses %s as a terminal InvalidSpec naming the field", (_label, spec, field, message) => {
    let err: unknown;
    try {
      validateSpec(app(spec));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect(err).toMatchObject({ code: "InvalidSpec", terminal: true, data: { field } });
    expect((err as Error).message.startsWith(field)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });
});

describe("Scheduler with an interval longer than a timer can hold", () => {
  it("waits (at most ~24.8 days) instead of overflowing setTimeout into a hot loop", async () => {
    let runs = 0;
    const s = new Scheduler({
      run: async () => {
        runs++;
        return { outcome: "failed", terminal: true };
      },
      intervalOf: () => 1000 * 3_600_000, // 1000h
      retryOf: () => ({ limit: 0, baseMs: 1_000, factor: 1, maxMs: 1_000 }),
      logger: silentLogger(),
    });
    s.enqueue("a");
    await new Promise((r) => setTimeout(r, 200));
    await s.stop();
    expect(runs).toBe(1);
  });
});
