/**
 * `plumb operator`: wiring only. Reads config, builds the concretes, starts
 * the caches, the controller (behind leader election) and the HTTP API, and
 * stops them in order on SIGTERM/SIGINT.
 */
import { parseArgs } from "node:util";
import { createApp, startApiServer, type ApiDeps, type ApiServer } from "../api/index.js";
import { loadOperatorConfig, OPERATOR_FLAGS, type OperatorConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { KubeAuthorizer } from "../kube/auth.js";
import { createLogger, type Logger } from "../log.js";
import { PlumbMetrics } from "../metrics/index.js";
import { buildOperator, type OperatorParts } from "../operator.js";
import { diffApplication } from "../sync/diff-report.js";
import { runWithLeadership, type Leadership, type LeaderWork } from "./lifecycle.js";

/** A started operator. */
export interface RunningOperator {
  config: OperatorConfig;
  parts: OperatorParts;
  metrics: PlumbMetrics;
  server: ApiServer;
  leadership: Leadership;
  /** Stops the API server, the controller (finishing running reconciles, releasing the Lease) and the caches. */
  stop(): Promise<void>;
}

/**
 * Starts everything in the order probes expect: the API first (so /healthz
 * answers at once and /readyz says 503 until the caches are synced), then
 * discovery and the Application cache, then the controller, which only the
 * leader runs. `onLost` is called when leadership is lost involuntarily.
 */
export async function startOperator(opts: { config: OperatorConfig; logger: Logger; onLost?: () => void }): Promise<RunningOperator> {
  const { config, logger } = opts;
  const metrics = new PlumbMetrics();
  const parts = buildOperator(config, logger, metrics, { onGitOperation: (e) => metrics.gitOperation(e), notifyMetrics: metrics });
  metrics.attach({
    apps: () => parts.apps.list(),
    queue: () => ({ depth: parts.controller.scheduler.depth, active: parts.controller.scheduler.active }),
    kubeRequests: () => parts.rest.countsByResource,
    git: () => parts.git.stats(),
    notifications: () => parts.notifications.dispatcher.depth,
  });
  // the API starts before the controller; until then this replica leads nothing
  const leading: { now?: Leadership } = {};
  const server = await startApiServer({ app: createApp(apiDeps({ config, parts, metrics, logger, isLeader: () => leading.now?.isLeader() ?? false })), ...config.listen });
  logger.info({ url: server.url, auth: config.apiAuth, webhook: !!config.webhookSecret }, "HTTP API listening");
  try {
    await parts.discovery.refresh(true);
    await parts.apps.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  const lead = runWithLeadership({ config, rest: parts.rest, logger, controller: leaderWork(parts), onLost: opts.onLost ?? (() => undefined) });
  leading.now = lead;
  let stopping: Promise<void> | undefined;
  return {
    config, parts, metrics, server, leadership: lead,
    stop: () =>
      (stopping ??= (async () => {
        await server.close();
        await lead.shutdown();
        await parts.apps.stop();
        await parts.cache.stop();
        parts.rest.close();
      })()),
  };
}

/** What only the leader runs: the sync controller and the notifications that follow its status writes. */
function leaderWork(parts: OperatorParts): LeaderWork {
  return {
    start: () => {
      parts.controller.start();
      parts.notifications.start();
    },
    stop: async () => {
      await parts.controller.stop();
      await parts.notifications.stop();
    },
  };
}

/** The HTTP API's ports, joined to the operator's concretes. */
export function apiDeps(opts: { config: OperatorConfig; parts: OperatorParts; metrics: PlumbMetrics; logger: Logger; isLeader: () => boolean }): ApiDeps {
  const { config, parts } = opts;
  return {
    apps: parts.apps,
    request: (namespace, name, req) => {
      if (!opts.isLeader()) return "not-leader";
      return parts.controller.request(namespace, name, req) ? "queued" : "unknown-app";
    },
    diff: (app) => diffApplication(parts.ctx, app),
    ready: () => parts.apps.isSynced(),
    auth: config.apiAuth === "none" ? "none" : new KubeAuthorizer({ rest: parts.rest }),
    ...(config.webhookSecret ? { webhookSecret: config.webhookSecret } : {}),
    owned: parts.owned,
    uiDir: config.uiDir,
    metrics: opts.metrics,
    logger: opts.logger,
  };
}

const USAGE = `usage: plumb operator [--kubeconfig F] [--listen HOST:PORT] [--namespace NS] [--leader-elect=true|false] [flags]

flags (each also read from PLUMB_<FLAG>, e.g. PLUMB_LISTEN):
  ${OPERATOR_FLAGS.map((f) => `--${f}`).join("\n  ")}
`;

/**
 * Runs the operator until SIGTERM or SIGINT; resolves to the exit code:
 * 0 after a clean stop, 1 when leadership was lost or starting failed,
 * 2 on bad flags or settings (one line on stderr).
 */
export async function runOperator(argv: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  let config: OperatorConfig;
  try {
    const options = Object.fromEntries(OPERATOR_FLAGS.map((f) => [f, { type: "string" as const }]));
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length) throw new ConfigError(`unexpected argument "${positionals[0]}"`);
    const { help: _help, ...flags } = values;
    config = loadOperatorConfig(flags as Record<string, string>, env);
  } catch (err) {
    process.stderr.write(`plumb operator: ${(err as Error).message}\n`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel });
  let lost!: () => void;
  const leadershipLost = new Promise<number>((resolve) => (lost = () => resolve(1)));
  let running: RunningOperator;
  try {
    running = await startOperator({ config, logger, onLost: lost });
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, "operator failed to start");
    logger.flush();
    return 1;
  }
  const signalled = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, "shutting down");
      // a second signal means "now"
      process.once(signal, () => process.exit(130));
      resolve(0);
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  const code = await Promise.race([signalled, leadershipLost]);
  await running.stop().catch((err: unknown) => logger.error({ err: (err as Error).message }, "unclean shutdown"));
  logger.info({ code }, "stopped");
  logger.flush();
  // nothing should be left running; if something is, do not hang the pod's termination
  setTimeout(() => process.exit(code), 2_000).unref();
  return code;
}
