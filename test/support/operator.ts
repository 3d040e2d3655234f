import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadOperatorConfig, type OperatorConfig } from "../../src/config.js";
import { createLogger, type Logger } from "../../src/log.js";
import type { PlumbMetrics } from "../../src/metrics/index.js";
import { buildOperator, type OperatorParts } from "../../src/operator.js";
import { KUBECONFIG } from "./kube.js";

/** A Plumb operator running inside the test process. */
export interface TestOperator extends OperatorParts {
  config: OperatorConfig;
  logger: Logger;
  /** Every log line written so far (JSON text), for secret-leak checks. */
  logs: string[];
  stop(): Promise<void>;
}

/** What every in-process test operator starts from (see testOperatorBase). */
export interface TestOperatorBase {
  config: OperatorConfig;
  logger: Logger;
  /** Every log line written so far (JSON text), for secret-leak checks; also on stderr with PLUMB_TEST_LOGS=1. */
  logs: string[];
  /** Removes the operator's own Git cache directory. */
  removeCache(): void;
}

/**
 * The one way tests configure an in-process operator: against the local
 * cluster, watching only `namespace` (so parallel test files do not see each
 * other's apps), without leader election, with its own Git cache directory,
 * its API on a free loopback port and its log lines kept.
 */
export function testOperatorBase(opts: { namespace: string; flags?: Record<string, string> }): TestOperatorBase {
  const cacheDir = mkdtempSync(join(tmpdir(), "plumb-test-cache-"));
  const config = loadOperatorConfig({ kubeconfig: KUBECONFIG, namespace: opts.namespace, "leader-elect": "false", "cache-dir": cacheDir, "git-timeout": "30", listen: "127.0.0.1:0", ...opts.flags }, {});
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString("utf8"));
      if (process.env.PLUMB_TEST_LOGS) process.stderr.write(chunk);
      cb();
    },
  });
  const logger = createLogger({ level: "debug", destination: sink });
  return { config, logger, logs, removeCache: () => rmSync(cacheDir, { recursive: true, force: true }) };
}

/** Starts the operator's controller in-process (no HTTP API; see startApiOperator for the whole of `plumb operator`). */
export async function startTestOperator(opts: { namespace: string; flags?: Record<string, string>; metrics?: PlumbMetrics }): Promise<TestOperator> {
  const { config, logger, logs, removeCache } = testOperatorBase(opts);
  const parts = opts.metrics ? buildOperator(config, logger, opts.metrics, { notifyMetrics: opts.metrics }) : buildOperator(config, logger);
  await parts.discovery.refresh(true);
  await parts.apps.start();
  parts.controller.start();
  parts.notifications.start();
  return {
    ...parts,
    config,
    logger,
    logs,
    stop: async () => {
      await parts.controller.stop();
      await parts.notifications.stop();
      await parts.apps.stop();
      await parts.cache.stop();
      parts.rest.close();
      removeCache();
    },
  };
}
