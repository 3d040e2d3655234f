/**
 * The operator as `plumb operator` wires it (controller, HTTP API, metrics),
 * in the test process, watching one namespace, without leader election.
 */
import { startOperator, type RunningOperator } from "../../../src/cli/operator.js";
import type { RestRequest } from "../../../src/kube/rest.js";
import { testOperatorBase } from "../../support/operator.js";

/** A running operator with its API URL and captured logs. */
export interface ApiOperator {
  url: string;
  running: RunningOperator;
  /** Every log line (JSON text), for secret-leak checks. */
  logs: string[];
  stop(): Promise<void>;
}

/** Starts the operator with its HTTP API on 127.0.0.1 (any free port). */
export async function startApiOperator(opts: { namespace: string; flags?: Record<string, string> }): Promise<ApiOperator> {
  const { config, logger, logs, removeCache } = testOperatorBase(opts);
  const running = await startOperator({ config, logger });
  return {
    url: running.server.url,
    running,
    logs,
    stop: async () => {
      await running.stop();
      removeCache();
    },
  };
}

/** A write the operator sent to the API server. */
export interface RecordedWrite {
  method: string;
  path: string;
  dryRun: boolean;
  /** involvedObject.name of an Event. */
  eventFor?: string;
}

/** Records every non-GET request of the operator's RestClient from now on; returns the log and an undo. */
export function recordWrites(op: ApiOperator): { writes: RecordedWrite[]; stop: () => void } {
  const rest = op.running.parts.rest;
  const original = rest.request.bind(rest);
  const writes: RecordedWrite[] = [];
  rest.request = (<T>(req: RestRequest): Promise<T> => {
    if (req.method !== "GET") {
      const event = req.path.endsWith("/events") ? (req.body as { involvedObject?: { name?: string } } | undefined)?.involvedObject?.name : undefined;
      writes.push({ method: req.method, path: req.path, dryRun: req.query?.dryRun !== undefined, ...(event ? { eventFor: event } : {}) });
    }
    return original<T>(req);
  }) as typeof rest.request;
  return { writes, stop: () => void (rest.request = original) };
}

/** fetch + JSON. */
export async function api(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
