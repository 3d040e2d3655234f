import type { GitServer } from "../test/support/git-server.js";
import { appFiles, appName, REPOS } from "./fixtures.js";
import type { ScaleSetup } from "./first-sync.js";
import { sumBy, valueOf } from "./operator.js";
import { sendPushWebhook } from "./push-latency.js";
import { row, type BenchRow } from "./report.js";

/** What one commit among many measured. */
export interface OneChangeResult {
  n: number;
  /** Apps of the pushed repository (all refreshed by the webhook). */
  appsInRepo: number;
  /** Objects the commit changed (a ConfigMap and the Deployment). */
  changedObjects: number;
  /** Server-side applies Plumb sent (not dry-runs). */
  objectWrites: number;
  /** Requests by verb while the repository's apps caught up. */
  apiRequests: Record<string, number>;
  /** Push → the changed app Ready at the new commit (ms). */
  readyMs: number;
  /** Push → every app of the repository reporting the new commit (ms). */
  allReposAppsMs: number;
}

/**
 * One commit that changes one app's path out of `n`: its repository's
 * webhook refreshes every app of that repository, but only the changed app
 * should write, and only its two changed objects.
 */
export async function measureOneChange(input: { setup: ScaleSetup; git: GitServer; timeoutMs?: number }): Promise<OneChangeResult> {
  const { setup, git } = input;
  const { operator, watch, n } = setup;
  const k = Math.floor(n / 2);
  const repo = setup.repos[k % REPOS]!;
  const inRepo = Array.from({ length: n }, (_, i) => i).filter((i) => i % REPOS === k % REPOS);
  const m0 = await operator.metrics();
  const sha = await git.commit(repo.name, { files: appFiles(k, "2"), message: `change ${appName(k)}` });
  const pushed = Date.now();
  for (const i of inRepo) watch.expect(appName(i), sha);
  await sendPushWebhook(operator, repo.url, sha);
  await watch.waitReady([appName(k)], input.timeoutMs ?? 120_000);
  const readyMs = watch.readyAt(appName(k))! - pushed;
  await watch.waitReady(inRepo.map(appName), input.timeoutMs ?? 120_000);
  const allReposAppsMs = Math.max(...inRepo.map((i) => watch.readyAt(appName(i))!)) - pushed;
  // the changed app's last status write may trail its Ready by a moment
  await new Promise((r) => setTimeout(r, 1000));
  const m1 = await operator.metrics();
  const req0 = sumBy(m0, "plumb_kube_api_requests_total", "verb");
  const req1 = sumBy(m1, "plumb_kube_api_requests_total", "verb");
  repo.sha = sha;
  return {
    n,
    appsInRepo: inRepo.length,
    changedObjects: 2,
    objectWrites: valueOf(m1, "plumb_apply_total") - valueOf(m0, "plumb_apply_total"),
    apiRequests: Object.fromEntries(Object.keys(req1).map((v) => [v, req1[v]! - (req0[v] ?? 0)])),
    readyMs,
    allReposAppsMs,
  };
}

/** The table rows of one commit among many. */
export function oneChangeRows(c: OneChangeResult): BenchRow[] {
  const bench = `one change among N=${c.n} (webhook refreshes ${c.appsInRepo} apps)`;
  return [
    row({ bench, metric: "objects written", plumb: c.objectWrites, reference: c.changedObjects, referenceName: "objects changed in Git", unit: "", target: "= changed objects", met: c.objectWrites === c.changedObjects, note: JSON.stringify(c.apiRequests) }),
    row({ bench, metric: "status writes + events", plumb: (c.apiRequests.PATCH ?? 0) - c.objectWrites + (c.apiRequests.POST ?? 0), unit: "" }),
    row({ bench, metric: "dry-run applies", plumb: c.apiRequests.DRYRUN ?? 0, unit: "" }),
    row({ bench, metric: "push→Ready (changed app)", plumb: c.readyMs, unit: "ms" }),
    row({ bench, metric: "push→all repo apps at new commit", plumb: c.allReposAppsMs, unit: "ms" }),
  ];
}
