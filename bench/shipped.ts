import { join } from "node:path";
import type { RestClient } from "../src/kube/rest.js";
import { KUBECONFIG } from "./cluster.js";
import type { ScaleSetup } from "./first-sync.js";
import { startBenchOperator, sumBy, valueOf, type BenchOperator, type OperatorEntry } from "./operator.js";
import { row, type BenchRow } from "./report.js";
import { sleep } from "./stats.js";
import { WRITE_VERBS } from "./steady-state.js";

/** The operator as shipped: two replicas with leader election, a restart, a quiet window and a failover. */
export interface ShippedResult {
  n: number;
  /** Objects the apps hold (what a restart that trusts nothing would dry-run). */
  objects: number;
  /** Dry-runs of the first leader until every app was reconciled once (a restart: its drift memory is empty). */
  restartDryRuns: number;
  restartMs: number;
  /** Dry-runs of the standby, once it leads, until every app was reconciled once. */
  failoverDryRuns: number;
  /** From SIGTERM of the leader to every app reconciled by the new one. */
  failoverMs: number;
  seconds: number;
  /** Writes of both replicas during the quiet window, by "VERB resource". */
  quietWrites: Record<string, number>;
}

const LEASE = "plumb-leader";
const isLease = (key: string) => key.endsWith(" leases.coordination.k8s.io");

/**
 * Replaces the scale run's operator with two replicas as deploy/ runs them
 * (leader election on, default Lease timings): the leader starts with an
 * empty drift memory, as after a restart, and must still trust what status
 * records (syncHash) instead of dry-running every object again. Then a quiet
 * window long enough for every app to come due twice, counting writes of
 * both replicas by resource (Lease renewals apart), then a failover.
 */
export async function measureShipped(input: { rest: RestClient; setup: ScaleSetup; seconds: number; logDir: string; objectsPerApp: number; flags: Record<string, string>; entry?: OperatorEntry; nodeFlags?: string[] }): Promise<ShippedResult> {
  const { rest, setup } = input;
  await setup.operator.stop();
  const start = (identity: string) =>
    startBenchOperator({
      namespace: setup.appsNamespace,
      kubeconfig: KUBECONFIG,
      logFile: join(input.logDir, `operator-shipped-${identity}.log`),
      flags: { ...input.flags, "leader-elect": "true", "lease-namespace": setup.appsNamespace, "lease-name": LEASE, identity },
      ...(input.entry ? { entry: input.entry } : {}),
      ...(input.nodeFlags ? { nodeFlags: input.nodeFlags } : {}),
    });
  const t0 = Date.now();
  const replicas = new Map<string, BenchOperator>([["bench-a", await start("bench-a")], ["bench-b", await start("bench-b")]]);
  try {
    const first = await leaderOf(rest, setup.appsNamespace, replicas);
    const restartDryRuns = await reconciledOnce(first, setup.n);
    const restartMs = Date.now() - t0;

    const before = await Promise.all([...replicas.values()].map((r) => byResource(r)));
    await sleep(input.seconds * 1000);
    const after = await Promise.all([...replicas.values()].map((r) => byResource(r)));
    const quietWrites: Record<string, number> = {};
    after.forEach((counts, i) => {
      for (const [key, n] of Object.entries(counts)) {
        if (!WRITE_VERBS.includes(key.split(" ")[0]!)) continue;
        const d = n - (before[i]![key] ?? 0);
        if (d) quietWrites[key] = (quietWrites[key] ?? 0) + d;
      }
    });

    const t1 = Date.now();
    const leaderId = [...replicas].find(([, r]) => r === first)![0];
    await first.stop(); // SIGTERM: hands the Lease over at once
    replicas.delete(leaderId);
    const second = await leaderOf(rest, setup.appsNamespace, replicas);
    const failoverDryRuns = await reconciledOnce(second, setup.n);
    return { n: setup.n, objects: setup.n * input.objectsPerApp, restartDryRuns, restartMs, failoverDryRuns, failoverMs: Date.now() - t1, seconds: input.seconds, quietWrites };
  } finally {
    for (const r of replicas.values()) await r.stop();
  }
}

/** Requests of one replica so far by "VERB resource". */
async function byResource(r: BenchOperator): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of await r.metrics()) if (s.name === "plumb_kube_api_requests_total") out[`${s.labels.verb} ${s.labels.resource}`] = s.value;
  return out;
}

/** The replica holding the Lease (waits for one to). */
async function leaderOf(rest: RestClient, namespace: string, replicas: Map<string, BenchOperator>): Promise<BenchOperator> {
  for (let i = 0; i < 600; i++) {
    const lease = await rest.request<{ spec?: { holderIdentity?: string } }>({ method: "GET", path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${LEASE}` }).catch(() => undefined);
    const holder = lease?.spec?.holderIdentity;
    if (holder && replicas.has(holder)) return replicas.get(holder)!;
    await sleep(500);
  }
  throw new Error("no replica took the Lease within 5 minutes");
}

/** Waits until the replica has finished `n` reconciles; returns its dry-runs so far. */
async function reconciledOnce(r: BenchOperator, n: number): Promise<number> {
  for (let i = 0; i < 3600; i++) {
    const m = await r.metrics();
    if (valueOf(m, "plumb_sync_total") >= n) return sumBy(m, "plumb_kube_api_requests_total", "verb").DRYRUN ?? 0;
    await sleep(500);
  }
  throw new Error(`the leader did not reconcile ${n} apps within 30 minutes`);
}

/** The table rows. */
export function shippedRows(s: ShippedResult): BenchRow[] {
  const bench = `as shipped (2 replicas, leader election) N=${s.n}`;
  const lease = Object.entries(s.quietWrites).filter(([k]) => isLease(k)).reduce((a, [, n]) => a + n, 0);
  const appWrites = Object.entries(s.quietWrites).filter(([k]) => !isLease(k)).reduce((a, [, n]) => a + n, 0);
  return [
    row({ bench, metric: "dry-runs after a restart", plumb: s.restartDryRuns, reference: s.objects, referenceName: "objects (a restart that trusts nothing)", unit: "", note: `every app reconciled in ${(s.restartMs / 1000).toFixed(1)} s` }),
    row({ bench, metric: "dry-runs after a failover", plumb: s.failoverDryRuns, reference: s.objects, referenceName: "objects", unit: "", note: `SIGTERM of the leader to every app reconciled: ${(s.failoverMs / 1000).toFixed(1)} s` }),
    row({ bench, metric: `app-object writes in ${s.seconds} s at rest`, plumb: appWrites, unit: "", target: "0", met: appWrites === 0, note: JSON.stringify(s.quietWrites) }),
    row({ bench, metric: `Lease writes in ${s.seconds} s`, plumb: lease, unit: "", note: "leader renewals (PUT leases), the only writes expected at rest" }),
  ];
}
