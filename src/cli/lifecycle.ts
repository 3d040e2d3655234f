import type { OperatorConfig } from "../config.js";
import type { Logger } from "../log.js";
import { startLeaderElection, type LeaderElection } from "../kube/leader.js";
import type { RestClient } from "../kube/rest.js";

/** The part of the operator only the leader runs (the sync Controller). */
export interface LeaderWork {
  /** Starts reconciling (the Application cache must be synced). */
  start(): void;
  /** Stops taking new work and resolves when running reconciles have finished. */
  stop(): Promise<void>;
}

/** The operator's leadership state, for readiness, metrics and shutdown. */
export interface Leadership {
  /** Whether this replica runs the controller now. */
  isLeader(): boolean;
  /**
   * Graceful shutdown (SIGTERM): stop taking new work, let in-flight applies
   * finish while the Lease is still renewed, then release the Lease so the
   * other replica takes over at once. Idempotent.
   */
  shutdown(): Promise<void>;
}

/**
 * Runs `controller` only while this replica leads (or always, with
 * `leaderElect: false`). Everything else (HTTP API, caches, probes) runs on
 * every replica and is started by the caller. When leadership is lost
 * involuntarily the controller stops and `onLost` is called, once the
 * controller has stopped or at the latest when another replica could acquire
 * the Lease; the caller should then exit non-zero so the pod restarts clean,
 * as client-go based controllers do.
 */
export function runWithLeadership(opts: {
  config: OperatorConfig;
  rest: RestClient;
  logger: Logger;
  controller: LeaderWork;
  onLost: () => void;
}): Leadership {
  const { config, controller, logger } = opts;
  let running = false;
  let shutting: Promise<void> | undefined;
  const start = (): void => {
    if (shutting || running) return;
    running = true;
    controller.start();
  };
  if (!config.leaderElect) {
    start();
    return {
      isLeader: () => !shutting,
      shutdown: () => (shutting ??= controller.stop()),
    };
  }
  const election: LeaderElection = startLeaderElection({
    rest: opts.rest,
    config,
    logger,
    onStartedLeading: start,
    onStoppedLeading: () => {
      // another replica may acquire once the Lease expires: do not wait for the controller past that
      const grace = (config.leaseDurationSeconds - config.renewDeadlineSeconds) * 1000;
      const stopped = running ? controller.stop() : Promise.resolve();
      running = false;
      void Promise.race([stopped, new Promise((r) => setTimeout(r, grace).unref())]).then(opts.onLost);
    },
  });
  return {
    isLeader: () => election.isLeader() && running,
    shutdown: () =>
      (shutting ??= (async () => {
        const began = Date.now();
        if (running) await controller.stop();
        running = false;
        logger.info({ durationMs: Date.now() - began }, "controller stopped");
        await election.release();
      })()),
  };
}
