import type { RestClient } from "../src/kube/rest.js";
import type { GitServer } from "../test/support/git-server.js";
import { CLUSTER_DIR, createApplications, createNamespaces, KUBECONFIG, kubectl, ReadyWatch } from "./cluster.js";
import { appFiles, appName, appPath, kubectlStream, OBJECTS_PER_APP, repoOf, REPOS } from "./fixtures.js";
import { startBenchOperator, sumBy, type BenchOperator, type OperatorEntry } from "./operator.js";
import { clusterCpuSeconds, cpuDelta } from "./process-stats.js";
import { row, type BenchRow } from "./report.js";
import { mapLimit } from "./stats.js";

/** What one scale's first sync measured. */
export interface FirstSyncResult {
  n: number;
  objects: number;
  /** Applications created → every app Ready at its commit (ms). */
  plumbMs: number;
  /** Operator CPU seconds during the first sync. */
  cpuSeconds: number;
  /** Highest RSS sampled during the first sync, and VmHWM at its end (MiB). */
  peakRssMiB: number;
  hwmRssMiB: number;
  /** Kubernetes API requests by verb during the first sync. */
  apiRequests: Record<string, number>;
  /** kubectl apply --server-side of the same objects (ms), and until every Deployment is Available. */
  kubectlApplyMs: number;
  kubectlReadyMs: number;
  /** CPU seconds of kubectl itself (apply + wait). */
  kubectlCpuSeconds: number;
  /** Log lines of the operator saying the API server was unreachable during the run (0 unless someone restarted the cluster). */
  apiOutages: number;
  /** CPU seconds the cluster (API server, etcd, controller-manager, scheduler, KWOK) spent, by run. */
  clusterCpu: { plumb: { total: number; byProcess: Record<string, number> }; kubectl: { total: number; byProcess: Record<string, number> } };
}

/** A scale's Git repositories and the operator that synced them, for the benchmarks that follow. */
export interface ScaleSetup {
  n: number;
  appsNamespace: string;
  /** Repository name and URL by index. */
  repos: { name: string; url: string; sha: string }[];
  operator: BenchOperator;
  watch: ReadyWatch;
}

/** Repository name of index `r` at scale `n`. */
export function repoName(n: number, r: number): string {
  return `s${n}-r${r}`;
}

/**
 * Time to first sync `n` Applications of 10 objects each, spread over 10
 * repositories: a fresh operator (its own process) is running and ready,
 * the Applications are created at once, and the clock stops when the last
 * is Ready (applied, every resource Synced, Deployment rolled out). The
 * reference applies the same objects into fresh namespaces with
 * `kubectl apply --server-side` and waits for every Deployment to be
 * Available. Returns the numbers and the still-running setup.
 */
export async function measureFirstSync(input: {
  rest: RestClient;
  git: GitServer;
  n: number;
  run: string;
  logDir: string;
  cpuProfileDir?: string;
  operatorFlags?: Record<string, string>;
  entry?: OperatorEntry;
  /** Node flags of the operator process. */
  nodeFlags?: string[];
  /** Run the kubectl reference (default true). */
  reference?: boolean;
}): Promise<{ result: FirstSyncResult; setup: ScaleSetup }> {
  const { rest, git, n, run } = input;
  // reference first, so the operator of this scale can keep running afterwards
  let kubectlApplyMs = Number.NaN;
  let kubectlReadyMs = Number.NaN;
  let kubectlCpuSeconds = Number.NaN;
  let kubectlCpu = { total: Number.NaN, byProcess: {} as Record<string, number> };
  if (input.reference !== false) {
    const kubectlNs = Array.from({ length: REPOS }, (_, r) => `bk-${n}-${r}-${run}`);
    await createNamespaces(rest, kubectlNs, run);
    const kubectlCpu0 = clusterCpuSeconds(CLUSTER_DIR);
    const apply = await kubectl(["apply", "--server-side", "--field-manager=bench", "-f", "-"], { input: kubectlStream(n, (i) => kubectlNs[repoOf(i)]!) });
    const waited = await Promise.all(
      kubectlNs.slice(0, Math.min(n, REPOS)).map((ns) => kubectl(["wait", "--for=condition=Available", "deployment", "--all", "-n", ns, `--timeout=${600 + n}s`])),
    );
    kubectlApplyMs = apply.ms;
    kubectlReadyMs = apply.ms + Math.max(...waited.map((w) => w.ms));
    kubectlCpu = cpuDelta(kubectlCpu0, clusterCpuSeconds(CLUSTER_DIR));
    kubectlCpuSeconds = apply.cpuSeconds + waited.reduce((a, w) => a + w.cpuSeconds, 0);
  }

  const appsNamespace = `bench-apps-${n}-${run}`;
  const destNs = Array.from({ length: REPOS }, (_, r) => `bp-${n}-${r}-${run}`);
  await createNamespaces(rest, [appsNamespace, ...destNs], run);
  const repos = await mapLimit(Array.from({ length: Math.min(n, REPOS) }, (_, r) => r), 4, async (r) => {
    const name = repoName(n, r);
    const url = await git.createRepo(name);
    const files: Record<string, string> = {};
    for (let i = r; i < n; i += REPOS) Object.assign(files, appFiles(i));
    const sha = await git.commit(name, { files, message: `${Math.ceil((n - r) / REPOS)} apps` });
    return { name, url, sha };
  });
  const operator = await startBenchOperator({
    namespace: appsNamespace,
    kubeconfig: KUBECONFIG,
    logFile: `${input.logDir}/operator-${n}.log`,
    ...(input.cpuProfileDir ? { cpuProfileDir: input.cpuProfileDir } : {}),
    ...(input.operatorFlags ? { flags: input.operatorFlags } : {}),
    ...(input.entry ? { entry: input.entry } : {}),
    ...(input.nodeFlags ? { nodeFlags: input.nodeFlags } : {}),
  });
  const watch = new ReadyWatch(rest, appsNamespace);
  await watch.synced;
  const names = Array.from({ length: n }, (_, i) => appName(i));
  names.forEach((name, i) => watch.expect(name, repos[repoOf(i)]!.sha));
  const before = operator.monitor.startWindow();
  const plumbCpu0 = clusterCpuSeconds(CLUSTER_DIR);
  const requestsBefore = sumBy(await operator.metrics(), "plumb_kube_api_requests_total", "verb");
  const started = Date.now();
  await createApplications(
    rest,
    appsNamespace,
    names.map((name, i) => ({
      name,
      spec: {
        source: { repoURL: repos[repoOf(i)]!.url, path: appPath(i) },
        destination: { namespace: destNs[repoOf(i)]! },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    })),
  );
  await watch.waitReady(names, 300_000 + n * 2_000);
  const plumbMs = Math.max(...names.map((name) => watch.readyAt(name)!)) - started;
  const after = operator.monitor.sample()!;
  const plumbCpu = cpuDelta(plumbCpu0, clusterCpuSeconds(CLUSTER_DIR));
  const requestsAfter = sumBy(await operator.metrics(), "plumb_kube_api_requests_total", "verb");
  const apiRequests = Object.fromEntries(Object.keys(requestsAfter).map((v) => [v, requestsAfter[v]! - (requestsBefore[v] ?? 0)]));
  return {
    result: {
      n,
      objects: n * OBJECTS_PER_APP,
      plumbMs,
      cpuSeconds: after.cpuSeconds - before.cpuSeconds,
      peakRssMiB: Math.max(operator.monitor.windowPeakMiB, after.rssMiB),
      hwmRssMiB: after.peakRssMiB,
      apiRequests,
      kubectlApplyMs,
      kubectlReadyMs,
      kubectlCpuSeconds,
      apiOutages: operator.apiOutages(),
      clusterCpu: { plumb: plumbCpu, kubectl: kubectlCpu },
    },
    setup: { n, appsNamespace, repos, operator, watch },
  };
}

/** The table rows of one scale. `largest` marks the scale the targets are judged at. */
export function firstSyncRows(r: FirstSyncResult, largest: boolean): BenchRow[] {
  const bench = `first sync N=${r.n} (${r.objects} objects)`;
  const seconds = r.plumbMs / 1000;
  const judged = largest && r.n >= 1000;
  const ratio = r.plumbMs / r.kubectlReadyMs;
  const disturbed = r.apiOutages ? ` — DISTURBED: the API server was unreachable ${r.apiOutages}× during the run` : "";
  return [
    row({ bench, metric: "time to all Ready", ...(disturbed ? { note: disturbed.slice(3) } : {}), plumb: seconds, reference: r.kubectlReadyMs / 1000, referenceName: "kubectl apply --server-side + wait Available", unit: "s", ...(judged ? { target: "≤ 1.3× reference", met: ratio <= 1.3 } : {}) }),
    row({ bench, metric: "time vs apply alone", plumb: seconds, reference: r.kubectlApplyMs / 1000, referenceName: "kubectl apply --server-side", unit: "s" }),
    row({ bench, metric: "apps/s", plumb: r.n / seconds, reference: r.n / (r.kubectlReadyMs / 1000), referenceName: "kubectl", unit: "apps/s", ...(judged ? { target: "≥ 20 apps/s", met: r.n / seconds >= 20 } : {}) }),
    row({ bench, metric: "objects/s", plumb: r.objects / seconds, reference: r.objects / (r.kubectlReadyMs / 1000), referenceName: "kubectl", unit: "obj/s" }),
    row({ bench, metric: "operator peak RSS", plumb: r.hwmRssMiB, unit: "MiB", ...(judged ? { target: "≤ 250 MiB", met: r.hwmRssMiB <= 250 } : {}) }),
    row({ bench, metric: "client CPU", plumb: r.cpuSeconds, reference: r.kubectlCpuSeconds, referenceName: "kubectl", unit: "s", note: `Plumb's API requests ${JSON.stringify(r.apiRequests)}` }),
    row({ bench, metric: "cluster CPU", plumb: r.clusterCpu.plumb.total, reference: r.clusterCpu.kubectl.total, referenceName: "during kubectl", unit: "s", note: `Plumb ${JSON.stringify(r.clusterCpu.plumb.byProcess)}; kubectl ${JSON.stringify(r.clusterCpu.kubectl.byProcess)}` }),
  ];
}
