import { describe, expect, it } from "vitest";
import { acquiredSpec, LeaseObserver, leaseExpired, microTime, nextAttempt, releasedSpec, RenewDeadline, type Lease, type LeaseSpec } from "../../src/kube/lease.js";

const NOW = new Date("2026-01-01T00:01:00.123Z");
const ago = (s: number) => microTime(new Date(NOW.getTime() - s * 1000));
const lease = (spec: LeaseSpec): Lease => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "plumb-leader", namespace: "plumb-system", resourceVersion: "7" }, spec });

describe("leaseExpired", () => {
  it.each([
    ["renewed within its duration", { renewTime: ago(5), leaseDurationSeconds: 15 }, 0, false],
    ["not renewed for longer than its duration", { renewTime: ago(20), leaseDurationSeconds: 15 }, 0, true],
    ["acquired but never renewed, within the duration", { acquireTime: ago(5), leaseDurationSeconds: 15 }, 0, false],
    ["with no timestamps at all", {}, 0, true],
    ["with the holder's clock ahead, but unchanged for a full duration here", { renewTime: microTime(new Date(NOW.getTime() + 3600_000)), leaseDurationSeconds: 15 }, 16_000, true],
    ["with the holder's clock ahead and changing", { renewTime: microTime(new Date(NOW.getTime() + 3600_000)), leaseDurationSeconds: 15 }, 1_000, false],
    ["without its own duration: the configured one counts", { renewTime: ago(20) }, 0, true],
  ] as const)("a Lease %s: expired=%s", (_what, spec, unchangedForMs, want) => {
    expect(leaseExpired({ spec, now: NOW, defaultDurationSeconds: 15, unchangedForMs })).toBe(want);
  });
});

describe("nextAttempt", () => {
  const held = (holder: string) => lease({ holderIdentity: holder, renewTime: ago(1), leaseDurationSeconds: 15, leaseTransitions: 3 });
  const base = { identity: "me", now: NOW, durationSeconds: 15 };

  it("renews a Lease this replica holds, keeping its acquire time and transitions", () => {
    const a = nextAttempt({ ...base, lease: held("me"), leading: true, expired: false });
    expect(a).toEqual({ kind: "write", spec: { holderIdentity: "me", renewTime: microTime(NOW), leaseDurationSeconds: 15, leaseTransitions: 3 } });
  });

  it("waits while another replica holds an unexpired Lease", () => {
    expect(nextAttempt({ ...base, lease: held("other"), leading: false, expired: false })).toEqual({ kind: "wait" });
  });

  it("takes over an expired Lease, counting a transition", () => {
    const a = nextAttempt({ ...base, lease: held("other"), leading: false, expired: true });
    expect(a).toEqual({ kind: "write", spec: acquiredSpec({ identity: "me", durationSeconds: 15, now: NOW, transitions: 4 }) });
  });

  it("takes a free (released) Lease", () => {
    const a = nextAttempt({ ...base, lease: lease(releasedSpec({ leaseTransitions: 2 }, NOW)), leading: false, expired: false });
    expect(a).toMatchObject({ kind: "write", spec: { holderIdentity: "me", leaseTransitions: 3 } });
  });

  it.each([
    ["another replica holds it", held("other"), false, "other"],
    ["another replica took it over after it expired", held("other"), true, "other"],
    ["it was released meanwhile", lease({ holderIdentity: "" }), false, "(nobody)"],
  ] as const)("reports leadership lost when this replica led and %s (never silently re-acquires)", (_why, l, expired, holder) => {
    expect(nextAttempt({ ...base, lease: l, leading: true, expired })).toEqual({ kind: "lost", holder });
  });
});

describe("the Lease records", () => {
  it("hands a Lease back with no holder and a one-second duration, keeping the transition count", () => {
    expect(releasedSpec({ holderIdentity: "me", leaseTransitions: 5 }, NOW)).toEqual({ holderIdentity: "", leaseDurationSeconds: 1, acquireTime: microTime(NOW), renewTime: microTime(NOW), leaseTransitions: 5 });
  });

  it("writes times as metav1.MicroTime", () => {
    expect(microTime(NOW)).toBe("2026-01-01T00:01:00.123000Z");
  });
});

describe("LeaseObserver", () => {
  it("counts time since the record last changed, not since it was last read", () => {
    let now = 0;
    const seen = new LeaseObserver(() => now);
    const at = (rv: string): Lease => ({ ...lease({}), metadata: { ...lease({}).metadata, resourceVersion: rv } });
    seen.note(at("1"));
    now = 5_000;
    seen.note(at("1")); // read again, unchanged
    expect(seen.unchangedForMs()).toBe(5_000);
    seen.note(at("2"));
    now = 6_000;
    expect(seen.unchangedForMs()).toBe(1_000);
  });
});

describe("RenewDeadline", () => {
  function deadline(ms: number) {
    let now = 0;
    const timers: { at: number; fn: () => void; live: boolean }[] = [];
    const lapses: number[] = [];
    const d = new RenewDeadline({
      ms,
      onLapse: () => lapses.push(now),
      now: () => now,
      after: (wait, fn) => {
        const t = { at: now + wait, fn, live: true };
        timers.push(t);
        return () => void (t.live = false);
      },
    });
    const advance = (to: number) => {
      now = to;
      for (const t of timers.filter((x) => x.live && x.at <= now)) {
        t.live = false;
        t.fn();
      }
    };
    return { d, lapses, advance, live: () => timers.filter((t) => t.live).length };
  }

  it("lapses when no renewal succeeded for its duration, even if nobody asks (a request hangs)", () => {
    const h = deadline(10_000);
    h.d.renewed();
    h.advance(9_000);
    expect(h.lapses).toEqual([]);
    expect(h.d.lapsed()).toBe(false);
    h.advance(10_001);
    expect(h.lapses).toEqual([10_001]);
    expect(h.d.lapsed()).toBe(true);
  });

  it("starts again on every renewal, with one timer at a time", () => {
    const h = deadline(10_000);
    h.d.renewed();
    h.advance(8_000);
    h.d.renewed();
    h.advance(17_000);
    expect(h.lapses).toEqual([]);
    expect(h.live()).toBe(1);
    expect(h.d.remainingMs(250)).toBe(1_000);
    h.advance(17_900);
    expect(h.d.remainingMs(250)).toBe(250);
  });

  it("never lapses once cancelled (released)", () => {
    const h = deadline(10_000);
    h.d.renewed();
    h.d.cancel();
    h.advance(60_000);
    expect(h.lapses).toEqual([]);
  });
});
