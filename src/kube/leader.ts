import { performance } from "node:perf_hooks";
import type { OperatorConfig } from "../config.js";
import type { Logger } from "../log.js";
import { acquiredSpec, LeaseObserver, leaseExpired, nextAttempt, releasedSpec, RenewDeadline, type Lease } from "./lease.js";
import { isConflict, isNotFound, type RestClient } from "./rest.js";

/** The settings leader election reads from the operator config. */
export type LeaderElectionConfig = Pick<
  OperatorConfig,
  "leaseName" | "leaseNamespace" | "leaseDurationSeconds" | "renewDeadlineSeconds" | "retryPeriodSeconds" | "identity"
>;

/** A running leader election. */
export interface LeaderElection {
  /** Whether this replica holds the Lease right now. */
  isLeader(): boolean;
  /** Stops renewing and, if this replica leads, hands the Lease back so another replica takes over at once. */
  release(): Promise<void>;
  /** Stops trying and renewing without touching the Lease (it expires on its own). */
  stop(): void;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease with client-go's
 * semantics: try to acquire every retryPeriod (jittered) while the Lease is
 * held and unexpired; once leading, renew every retryPeriod, and give
 * leadership up when no renewal succeeded for renewDeadline (shorter than
 * the lease duration, so a replica that cannot renew stops acting before any
 * other may acquire). Writes use the Lease's resourceVersion; a 409 means
 * another replica won the race and the attempt simply fails.
 *
 * `onStoppedLeading` is called only when leadership is lost involuntarily;
 * a `release()` on shutdown does not call it.
 */
export function startLeaderElection(opts: {
  rest: RestClient;
  config: LeaderElectionConfig;
  logger: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}): LeaderElection {
  const { rest, config: cfg } = opts;
  const log = opts.logger.child({ lease: `${cfg.leaseNamespace}/${cfg.leaseName}`, identity: cfg.identity });
  const path = `/apis/coordination.k8s.io/v1/namespaces/${cfg.leaseNamespace}/leases`;
  const retryMs = cfg.retryPeriodSeconds * 1000;
  const deadlineMs = cfg.renewDeadlineSeconds * 1000;
  let leader = false;
  let stopped = false;
  let lost = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const monotonic = () => performance.now();
  const observed = new LeaseObserver(monotonic);
  const lapse = `no successful renewal within the ${cfg.renewDeadlineSeconds}s renew deadline`;
  const deadline = new RenewDeadline({
    ms: deadlineMs,
    onLapse: () => lose(lapse),
    now: monotonic,
    after: (ms, fn) => {
      const t = setTimeout(fn, ms);
      t.unref();
      return () => clearTimeout(t);
    },
  });

  const budget = () => (leader ? deadline.remainingMs(250) : retryMs * 2);

  /** One attempt; resolves true when this replica holds a freshly renewed Lease. */
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const now = new Date();
    let lease: Lease;
    try {
      lease = await rest.request<Lease>({ method: "GET", path: `${path}/${cfg.leaseName}`, timeoutMs: budget() });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const spec = acquiredSpec({ identity: cfg.identity, durationSeconds: cfg.leaseDurationSeconds, now, transitions: 0 });
      const fresh: Lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: cfg.leaseName, namespace: cfg.leaseNamespace }, spec };
      try {
        note(await rest.request<Lease>({ method: "POST", path, body: fresh, timeoutMs: budget() }));
        return true;
      } catch (e) {
        if (isConflict(e)) return false;
        throw e;
      }
    }
    note(lease);
    const expired = leaseExpired({ spec: lease.spec, now, defaultDurationSeconds: cfg.leaseDurationSeconds, unchangedForMs: observed.unchangedForMs() });
    const attempt = nextAttempt({ lease, identity: cfg.identity, leading: leader, expired, now, durationSeconds: cfg.leaseDurationSeconds });
    if (attempt.kind === "lost") throw new LeaseTakenError(attempt.holder);
    if (attempt.kind === "wait") return false;
    try {
      note(await rest.request<Lease>({ method: "PUT", path: `${path}/${cfg.leaseName}`, body: { ...lease, spec: attempt.spec }, timeoutMs: budget() }));
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  };

  const note = (lease: Lease): void => observed.note(lease);

  const lose = (why: string): void => {
    if (lost || !leader) return;
    lost = true;
    leader = false;
    stop();
    log.error({ reason: why }, "leadership lost; stopping reconciliation");
    opts.onStoppedLeading();
  };

  const tick = async (): Promise<void> => {
    let ok = false;
    try {
      ok = await tryAcquireOrRenew();
    } catch (err) {
      if (err instanceof LeaseTakenError) return lose(err.message);
      log.warn({ err: (err as Error).message }, leader ? "lease renewal failed" : "lease acquisition failed");
    }
    if (lost) return;
    if (ok) {
      const was = leader;
      leader = true; // even when stopping meanwhile: release() then hands the Lease back
      deadline.renewed();
      if (!was && !stopped) {
        log.info("acquired leadership");
        opts.onStartedLeading();
      }
    } else if (leader && deadline.lapsed()) {
      return lose(lapse);
    }
    if (stopped) return;
    const wait = leader ? retryMs : retryMs * (1 + Math.random() * 0.2);
    timer = setTimeout(() => (inFlight = tick()), wait);
    timer.unref();
  };

  function stop(): void {
    stopped = true;
    clearTimeout(timer);
  }

  log.info("waiting to acquire leadership");
  inFlight = tick();
  return {
    isLeader: () => leader,
    stop,
    release: async () => {
      stop();
      await inFlight;
      deadline.cancel();
      if (!leader) return;
      leader = false;
      await releaseLease({ rest, path: `${path}/${cfg.leaseName}`, identity: cfg.identity }).then(
        (done) => log.info({ released: done }, done ? "released the lease" : "lease was no longer ours"),
        (err: unknown) => log.warn({ err: (err as Error).message }, "could not release the lease; it will expire"),
      );
    },
  };
}

/** Another replica holds the Lease this replica thought it led. */
class LeaseTakenError extends Error {
  constructor(holder: string) {
    super(`the lease is now held by ${holder}`);
  }
}

/** Hands the Lease back (no holder, 1s duration), as client-go's ReleaseOnCancel does; retries conflicts. */
async function releaseLease(opts: { rest: RestClient; path: string; identity: string }): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const lease = await opts.rest.request<Lease>({ method: "GET", path: opts.path, timeoutMs: 5_000 });
    if (lease.spec.holderIdentity !== opts.identity) return false;
    const spec = releasedSpec(lease.spec, new Date());
    try {
      await opts.rest.request({ method: "PUT", path: opts.path, body: { ...lease, spec }, timeoutMs: 5_000 });
      return true;
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
  return false;
}
