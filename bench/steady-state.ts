import type { GitServer } from "../test/support/git-server.js";
import type { ScaleSetup } from "./first-sync.js";
import { sumBy, valueOf } from "./operator.js";
import { row, type BenchRow } from "./report.js";
import { sleep } from "./stats.js";

/** What a quiet window measured. */
export interface SteadyStateResult {
  n: number;
  seconds: number;
  /** Kubernetes API requests by verb (DRYRUN counted apart from PATCH). */
  apiRequests: Record<string, number>;
  /** Git HTTP requests per repository, as the Git server counted them. */
  gitRequestsByRepo: Record<string, number>;
  /** Git HTTP requests as the operator counted them. */
  operatorGitRequests: number;
  cpuSeconds: number;
  rssMiB: number;
  syncs: number;
  /** API server outages seen by the operator during the window (disturbed numbers). */
  apiOutages: number;
}

/** Verbs that change the cluster; a quiet window must have none. */
export const WRITE_VERBS = ["POST", "PUT", "PATCH", "DELETE", "DRYRUN"];

/**
 * A window with nothing changed in Git or the cluster, after a first sync
 * and `settleSeconds` for the last rollouts' status updates to die down:
 * every app still re-checks its revision and drift on its interval (3 min by
 * default), and should find nothing to do without writing anything.
 */
export async function measureSteadyState(input: { setup: ScaleSetup; git: GitServer; seconds: number; settleSeconds?: number }): Promise<SteadyStateResult> {
  const { setup, git } = input;
  const { operator } = setup;
  // rollouts finishing after Ready still send status updates for a while
  await sleep((input.settleSeconds ?? 30) * 1000);
  const m0 = await operator.metrics();
  const outages0 = operator.apiOutages();
  const git0 = new Map(git.requestsByPath);
  const p0 = operator.monitor.startWindow();
  await sleep(input.seconds * 1000);
  const p1 = operator.monitor.sample()!;
  const m1 = await operator.metrics();
  const req0 = sumBy(m0, "plumb_kube_api_requests_total", "verb");
  const req1 = sumBy(m1, "plumb_kube_api_requests_total", "verb");
  const gitRequestsByRepo: Record<string, number> = {};
  for (const repo of setup.repos) gitRequestsByRepo[repo.name] = 0;
  for (const [path, count] of git.requestsByPath) {
    const repo = /^\/([^/]+)\.git\//.exec(path)?.[1];
    if (repo && repo in gitRequestsByRepo) gitRequestsByRepo[repo]! += count - (git0.get(path) ?? 0);
  }
  return {
    n: setup.n,
    seconds: input.seconds,
    apiRequests: Object.fromEntries(Object.keys({ ...req0, ...req1 }).map((v) => [v, (req1[v] ?? 0) - (req0[v] ?? 0)])),
    gitRequestsByRepo,
    operatorGitRequests: valueOf(m1, "plumb_git_requests_total") - valueOf(m0, "plumb_git_requests_total"),
    cpuSeconds: p1.cpuSeconds - p0.cpuSeconds,
    rssMiB: p1.rssMiB,
    syncs: valueOf(m1, "plumb_sync_total") - valueOf(m0, "plumb_sync_total"),
    apiOutages: operator.apiOutages() - outages0,
  };
}

/** The table rows of a quiet window. */
export function steadyStateRows(s: SteadyStateResult): BenchRow[] {
  const bench = `steady state N=${s.n}, ${s.seconds} s`;
  const writes = WRITE_VERBS.reduce((a, v) => a + (s.apiRequests[v] ?? 0), 0);
  const perRepo = Object.values(s.gitRequestsByRepo);
  const meanPerRepo = perRepo.length ? perRepo.reduce((a, b) => a + b, 0) / perRepo.length : 0;
  return [
    row({ bench, metric: "API writes (incl. dry-runs)", plumb: writes, unit: "", target: "0", met: writes === 0, note: `${JSON.stringify(s.apiRequests)}${s.apiOutages ? ` — DISTURBED: the API server was unreachable ${s.apiOutages}×` : ""}` }),
    row({ bench, metric: "API reads (GET)", plumb: s.apiRequests.GET ?? 0, unit: "" }),
    row({ bench, metric: "Git requests per repo", plumb: meanPerRepo, unit: "", note: `${s.syncs} reconciles; ${JSON.stringify(s.gitRequestsByRepo)}` }),
    row({ bench, metric: "operator CPU", plumb: s.cpuSeconds, unit: "s" }),
    row({ bench, metric: "operator RSS", plumb: s.rssMiB, unit: "MiB", ...(s.n >= 1000 ? { target: "≤ 250 MiB", met: s.rssMiB <= 250 } : {}) }),
  ];
}
