/**
 * `plumb app ...`: Applications through Plumb's HTTP API, as a person at a
 * terminal or a CI job uses them. Exit codes: 0 ok, 1 failed or unhealthy
 * (or the API said no for another reason), 2 usage, 3 auth (401/403).
 */
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { loadAppClientConfig } from "../config.js";
import { loadKubeConfig } from "../kube/config.js";
import type { HistoryEntry, ResourceStatus } from "../model/application.js";
import { durationMs } from "../sync/duration.js";
import { ApiCallError, ApiClient } from "./api-client.js";
import { waitForApp, type AppDetail, type WaitOutcome } from "./app-wait.js";
import type { CliIO } from "./render.js";
import { formatTable, shortTime } from "./table.js";

const USAGE = `usage: plumb app <command> [args] [--server URL] [--token T] [-o table|json|yaml]

commands:
  list                         Applications you may see
  get NS/NAME                  one Application: status, resources, conditions
  sync NS/NAME [--wait]        sync now; --wait waits for the outcome (exit 1 when it fails)
  rollback NS/NAME ID          roll back to a history entry (or a full commit SHA)
  history NS/NAME              deployed revisions, newest first
  diff NS/NAME                 live vs Git (Secret values redacted); exit 1 when they differ
  wait NS/NAME [--timeout D]   wait until Ready (default 5m); exit 1 when it fails or times out

flags:
  --server URL   Plumb's HTTP API (PLUMB_SERVER; default http://127.0.0.1:8080)
  --token T      bearer token (PLUMB_TOKEN; default: the current kubeconfig user's token)
  --kubeconfig F where to find that token (default $KUBECONFIG, ~/.kube/config)
  --timeout D    for wait and sync --wait: 30s, 5m, 1h (default 5m)
  -o, --output   table (default), json or yaml

exit codes: 0 ok, 1 failed/unhealthy/differs, 2 usage, 3 not authenticated or not allowed
`;

class UsageError extends Error {}

interface Summary {
  namespace: string;
  name: string;
  sync: { status: string; revision?: string };
  health: { status: string; message: string };
  ready?: { status: string; reason: string; message: string };
  lastSyncedAt?: string;
}

/** Runs `plumb app`; resolves to the exit code. */
export async function runApp(args: string[], io: CliIO, env?: NodeJS.ProcessEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        server: { type: "string" }, token: { type: "string" }, kubeconfig: { type: "string" }, output: { type: "string", short: "o", default: "table" },
        wait: { type: "boolean" }, timeout: { type: "string" }, help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    io.stderr.write(`plumb app: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.stdout : io.stderr).write(USAGE);
    return values.help ? 0 : 2;
  }
  const [command, ...rest] = positionals;
  try {
    const output = values.output;
    if (output !== "table" && output !== "json" && output !== "yaml") throw new UsageError(`-o must be table, json or yaml, got "${output}"`);
    const timeoutMs = durationOf(values.timeout);
    const cfg = loadAppClientConfig({ server: values.server, token: values.token, kubeconfig: values.kubeconfig }, env);
    const client = new ApiClient({ server: cfg.server, ...((cfg.token ?? kubeconfigToken(cfg.kubeconfig)) ? { token: cfg.token ?? kubeconfigToken(cfg.kubeconfig)! } : {}) });
    const print = (value: unknown, table: () => string): void => {
      io.stdout.write(output === "json" ? `${JSON.stringify(value, null, 2)}\n` : output === "yaml" ? stringify(value) : table());
    };
    switch (command) {
      case "list": {
        expectArgs(rest, 0, "list");
        const list = await client.call<{ items: Summary[] }>("GET", "/api/v1/applications");
        print(list, () => (list.items.length ? summaryTable(list.items) : "No applications found.\n"));
        return 0;
      }
      case "get": {
        const [ns, name] = appArg(rest, "get NS/NAME");
        const app = await client.call<AppDetail>("GET", ApiClient.appPath(ns, name));
        print(app, () => describe(app));
        return 0;
      }
      case "history": {
        const [ns, name] = appArg(rest, "history NS/NAME");
        const app = await client.call<AppDetail>("GET", ApiClient.appPath(ns, name));
        const history = app.status?.history ?? [];
        print({ namespace: ns, name, history }, () => (history.length ? historyTable(history) : "No history yet.\n"));
        return 0;
      }
      case "diff": {
        const [ns, name] = appArg(rest, "diff NS/NAME");
        const diff = await client.call<{ revision: string; inSync: boolean; resources: { kind: string; namespace: string; name: string; action: string; diff: string; message?: string }[] }>("GET", ApiClient.appPath(ns, name, "/diff"));
        print(diff, () => (diff.inSync ? `${ns}/${name} is in sync with ${diff.revision.slice(0, 7)}\n` : diff.resources.filter((r) => r.action !== "none").map((r) => r.diff || `${r.action} ${r.kind} ${r.namespace}/${r.name}${r.message ? `: ${r.message}` : ""}\n`).join("")));
        return diff.inSync ? 0 : 1;
      }
      case "sync": {
        const [ns, name] = appArg(rest, "sync NS/NAME [--wait]");
        const before = values.wait ? await client.call<AppDetail>("GET", ApiClient.appPath(ns, name)) : undefined;
        // whether the sync has anything to do, so --wait knows whether to wait for an operation
        const differs = values.wait ? await client.call<{ inSync: boolean }>("GET", ApiClient.appPath(ns, name, "/diff")).then((d) => !d.inSync, () => undefined) : undefined;
        const res = await client.call("POST", ApiClient.appPath(ns, name, "/sync"));
        if (!values.wait) {
          print(res, () => `${ns}/${name}: sync requested\n`);
          return 0;
        }
        io.stderr.write(`${ns}/${name}: sync requested; waiting up to ${Math.round(timeoutMs / 1000)}s\n`);
        const outcome = await waitForApp({ client, namespace: ns, name, timeoutMs, afterSync: { startedAt: before?.status?.operationState?.startedAt, expectOperation: differs } });
        return report(outcome, print);
      }
      case "rollback": {
        if (rest.length !== 2) throw new UsageError("usage: plumb app rollback NS/NAME ID (a history id, or a full commit SHA)");
        const [ns, name] = appArg(rest.slice(0, 1), "rollback NS/NAME ID");
        const id = rest[1]!;
        const body = /^\d+$/.test(id) ? { id: Number(id) } : /^[0-9a-f]{40}$/i.test(id) ? { revision: id } : undefined;
        if (!body) throw new UsageError(`ID must be a history id (see plumb app history ${ns}/${name}) or a full 40-hex commit SHA, got "${id}"`);
        const res = await client.call<{ revision: string }>("POST", ApiClient.appPath(ns, name, "/rollback"), body);
        print(res, () => `${ns}/${name}: rollback to ${res.revision.slice(0, 7)} requested\n`);
        return 0;
      }
      case "wait": {
        const [ns, name] = appArg(rest, "wait NS/NAME [--timeout D]");
        return report(await waitForApp({ client, namespace: ns, name, timeoutMs }), print);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`plumb app: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof ApiCallError) {
      io.stderr.write(`plumb app: ${err.code}: ${err.message}\n`);
      return err.status === 401 || err.status === 403 ? 3 : 1;
    }
    io.stderr.write(`plumb app: ${(err as Error).message}\n`);
    return (err as { code?: string }).code === "InvalidConfig" ? 2 : 1;
  }

  function report(outcome: WaitOutcome, print: (value: unknown, table: () => string) => void): number {
    print({ result: outcome.result, reason: outcome.reason, application: outcome.app }, () => `${outcome.app.namespace}/${outcome.app.name}: ${outcome.result === "ok" ? "" : `${outcome.result}: `}${outcome.reason}\n`);
    return outcome.result === "ok" ? 0 : 1;
  }
}

function durationOf(text: string | undefined): number {
  try {
    return durationMs(text, 300_000);
  } catch {
    throw new UsageError(`--timeout must be a duration like 30s, 5m or 1h, got "${text}"`);
  }
}

function expectArgs(rest: string[], n: number, what: string): void {
  if (rest.length !== n) throw new UsageError(`${what} takes ${n === 0 ? "no arguments" : `${n} argument(s)`}, got ${rest.length}`);
}

function appArg(rest: string[], usage: string): [string, string] {
  const m = rest.length === 1 ? /^([^/\s]+)\/([^/\s]+)$/.exec(rest[0]!) : null;
  if (!m) throw new UsageError(`usage: plumb app ${usage}`);
  return [m[1]!, m[2]!];
}

/** The token of the kubeconfig's current user, when it has a plain one. */
function kubeconfigToken(kubeconfig: string | undefined): string | undefined {
  try {
    return loadKubeConfig(kubeconfig ? { kubeconfig } : {}).getCurrentUser()?.token || undefined;
  } catch {
    return undefined;
  }
}

/** A failure message for the list: why it is not Ready, when it is not. */
function messageOf(a: Summary): string | undefined {
  if (!a.ready || a.ready.status === "True") return undefined;
  return `${a.ready.reason}: ${a.ready.message}`;
}

function summaryTable(items: Summary[]): string {
  return formatTable(
    ["NAMESPACE", "NAME", "SYNC", "HEALTH", "REVISION", "LAST SYNC", "MESSAGE"],
    items.map((a) => [a.namespace, a.name, a.sync.status, a.health.status, a.sync.revision?.slice(0, 7), shortTime(a.lastSyncedAt), messageOf(a)]),
  );
}

function historyTable(history: HistoryEntry[]): string {
  return formatTable(["ID", "REVISION", "DEPLOYED", "TRIGGER", "HEALTH"], history.map((h) => [h.id, h.revision.slice(0, 7), shortTime(h.deployedAt), h.trigger, h.health]));
}

function describe(app: AppDetail): string {
  const spec = app.spec as { source?: { repoURL?: string; path?: string; targetRevision?: string } } | undefined;
  const op = app.status?.operationState;
  const resources = (app.resources ?? []) as ResourceStatus[];
  const lines = [
    summaryTable([app]),
    `Source:     ${spec?.source?.repoURL ?? ""} path ${spec?.source?.path ?? "."} at ${spec?.source?.targetRevision ?? "HEAD"}`,
    `Health:     ${app.health.status}${app.health.message ? ` (${app.health.message})` : ""}`,
    ...(op ? [`Operation:  ${op.phase}${op.message ? `: ${op.message}` : ""}${op.finishedAt ? ` (finished ${shortTime(op.finishedAt)})` : op.startedAt ? ` (started ${shortTime(op.startedAt)})` : ""}`] : []),
    "",
    "Conditions:",
    formatTable(["TYPE", "STATUS", "REASON", "MESSAGE"], (app.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message])),
    "Resources:",
    resources.length ? formatTable(["KIND", "NAMESPACE", "NAME", "SYNC", "HEALTH", "MESSAGE"], resources.map((r) => [r.kind, r.namespace, r.name, r.status, r.health?.status, r.health?.message ?? r.message])) : "<none>\n",
  ];
  return lines.join("\n");
}
