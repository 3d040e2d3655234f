/**
 * A stand-in for `plumb operator` while the real command lands: the same
 * config, parts, leadership and shutdown order, without the HTTP API. Run by
 * test/support/operator-process.ts as its own Node process, so tests can
 * SIGKILL and SIGTERM it. Logs go to stdout as pino JSON lines.
 */
import { parseArgs } from "node:util";
import { runWithLeadership } from "../../src/cli/lifecycle.js";
import { loadOperatorConfig, OPERATOR_FLAGS } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { buildOperator } from "../../src/operator.js";

const { values } = parseArgs({ options: Object.fromEntries(OPERATOR_FLAGS.map((f) => [f, { type: "string" as const }])), strict: true });
const config = loadOperatorConfig(values);
const logger = createLogger({ level: config.logLevel });
const parts = buildOperator(config, logger);
await parts.discovery.refresh(true);
await parts.apps.start();
const leadership = runWithLeadership({
  config,
  rest: parts.rest,
  logger,
  controller: parts.controller,
  onLost: () => {
    logger.flush();
    process.exit(1);
  },
});
logger.info({ identity: config.identity }, "operator started");

const shutdown = async (signal: string): Promise<void> => {
  const began = Date.now();
  logger.info({ signal }, "shutting down");
  await leadership.shutdown();
  await parts.apps.stop();
  await parts.cache.stop();
  parts.rest.close();
  logger.info({ durationMs: Date.now() - began }, "shutdown complete");
  logger.flush();
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
