import { describe, expect, it } from "vitest";
import { acquiredSpec, leaseExpired, microTime, nextAttempt, releasedSpec, type Lease, type LeaseSpec } from "../../src/kube/lease.js";

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
