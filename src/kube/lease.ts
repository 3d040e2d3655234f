/**
 * The pure rules of leader election on a coordination.k8s.io/v1 Lease, with
 * client-go's semantics: when a Lease counts as expired, what an attempt to
 * acquire or renew writes, and what handing it back writes. No I/O, no
 * timers: leader.ts runs them.
 */

/** `spec` of a Lease. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

/** A coordination.k8s.io/v1 Lease. */
export interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** What one attempt does with the Lease it read. */
export type Attempt =
  | { kind: "wait" } // another replica holds it, unexpired
  | { kind: "lost"; holder: string } // this replica led, and someone else holds it now
  | { kind: "write"; spec: LeaseSpec }; // renew (it is ours) or take it (free or expired)

/**
 * Whether a Lease's holder has lost it: its own timestamps say the duration
 * passed, or (when the holder's clock runs ahead) this replica has seen no
 * change of the record for a full duration.
 */
export function leaseExpired(opts: { spec: LeaseSpec; now: Date; defaultDurationSeconds: number; unchangedForMs: number }): boolean {
  const { spec } = opts;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? "");
  const ttl = (spec.leaseDurationSeconds ?? opts.defaultDurationSeconds) * 1000;
  return !(renewed + ttl >= opts.now.getTime()) || opts.unchangedForMs > Math.max(ttl, opts.defaultDurationSeconds * 1000);
}

/**
 * The next step of an attempt on a Lease read from the server: renew it when
 * this replica holds it; take it when it is free or expired (unless this
 * replica thought it led: then it was lost in between); otherwise wait.
 */
export function nextAttempt(opts: { lease: Lease; identity: string; leading: boolean; expired: boolean; now: Date; durationSeconds: number }): Attempt {
  const { lease, identity, leading, now, durationSeconds } = opts;
  const holder = lease.spec.holderIdentity ?? "";
  const mine = holder === identity;
  if (holder && !mine && !opts.expired) return leading ? { kind: "lost", holder } : { kind: "wait" };
  if (!mine && leading) return { kind: "lost", holder: holder || "(nobody)" };
  if (mine) return { kind: "write", spec: { ...lease.spec, renewTime: microTime(now), leaseDurationSeconds: durationSeconds } };
  return { kind: "write", spec: acquiredSpec({ identity, durationSeconds, now, transitions: (lease.spec.leaseTransitions ?? 0) + 1 }) };
}

/** The spec of a Lease `identity` has just acquired. */
export function acquiredSpec(opts: { identity: string; durationSeconds: number; now: Date; transitions: number }): LeaseSpec {
  const at = microTime(opts.now);
  return { holderIdentity: opts.identity, leaseDurationSeconds: opts.durationSeconds, acquireTime: at, renewTime: at, leaseTransitions: opts.transitions };
}

/** The spec that hands a Lease back (no holder, 1s duration), as client-go's ReleaseOnCancel writes it. */
export function releasedSpec(spec: LeaseSpec, now: Date): LeaseSpec {
  const at = microTime(now);
  return { holderIdentity: "", leaseDurationSeconds: 1, acquireTime: at, renewTime: at, leaseTransitions: spec.leaseTransitions ?? 0 };
}

/** RFC 3339 with microseconds, the wire format of metav1.MicroTime. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/**
 * When this replica last saw the Lease record change, on a monotonic clock:
 * a holder whose clock runs ahead still loses the Lease once its record
 * stops changing for a full duration.
 */
export class LeaseObserver {
  #resourceVersion = "";
  #at = 0;
  #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Notes the record as read or written now. */
  note(lease: Lease): void {
    const rv = lease.metadata.resourceVersion ?? "";
    if (rv === this.#resourceVersion) return;
    this.#resourceVersion = rv;
    this.#at = this.#now();
  }

  /** How long the record has been unchanged, as far as this replica saw. */
  unchangedForMs(): number {
    return this.#now() - this.#at;
  }
}

/**
 * The renew deadline of a leader: leadership lapses when no renewal
 * succeeded for `ms`, even while a request hangs (a timer fires `onLapse`),
 * and requests get only the time left before it.
 */
export class RenewDeadline {
  #ms: number;
  #lastRenewed = 0;
  #cancel: (() => void) | undefined;
  #now: () => number;
  #after: (ms: number, fn: () => void) => () => void;
  #onLapse: () => void;

  constructor(opts: { ms: number; onLapse: () => void; now: () => number; after: (ms: number, fn: () => void) => () => void }) {
    this.#ms = opts.ms;
    this.#onLapse = opts.onLapse;
    this.#now = opts.now;
    this.#after = opts.after;
  }

  /** A renewal succeeded now: the deadline starts again. */
  renewed(): void {
    this.#lastRenewed = this.#now();
    this.#cancel?.();
    this.#cancel = this.#after(this.#ms, this.#onLapse);
  }

  /** Whether the deadline has passed since the last renewal. */
  lapsed(): boolean {
    return this.#now() - this.#lastRenewed > this.#ms;
  }

  /** Time left before the deadline, at least `floorMs` (a request needs some). */
  remainingMs(floorMs: number): number {
    return Math.max(floorMs, this.#ms - (this.#now() - this.#lastRenewed));
  }

  /** Stops the timer (released or stopped). */
  cancel(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }
}
