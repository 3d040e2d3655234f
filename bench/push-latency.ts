import { createHmac } from "node:crypto";
import type { RestClient } from "../src/kube/rest.js";
import type { GitServer } from "../test/support/git-server.js";
import { createApplications, createNamespaces, kubectl, ReadyWatch } from "./cluster.js";
import { appManifests } from "./fixtures.js";
import type { BenchOperator } from "./operator.js";
import { row, type BenchRow } from "./report.js";
import { latencySummary, sleep } from "./stats.js";

/** What a push-latency run needs. */
export interface PushLatencyInput {
  rest: RestClient;
  git: GitServer;
  operator: BenchOperator;
  /** Namespace the operator watches for Applications. */
  appsNamespace: string;
  run: string;
  pushes: number;
  /** Polling interval of the polling app (seconds). */
  pollSeconds: number;
}

/** Raw latencies (ms) of one run. */
export interface PushLatencies {
  webhook: number[];
  polling: number[];
  /** kubectl apply --server-side of the same change + rollout status. */
  kubectl: number[];
}

/** Sends a GitHub push webhook for `sha` of `repoURL`, signed with the operator's secret. */
export async function sendPushWebhook(operator: BenchOperator, repoURL: string, sha: string): Promise<void> {
  const body = JSON.stringify({ ref: "refs/heads/main", after: sha, repository: { clone_url: repoURL, default_branch: "main" } });
  const signature = `sha256=${createHmac("sha256", operator.webhookSecret).update(body).digest("hex")}`;
  const res = await fetch(`${operator.url}/api/v1/webhooks/git`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": signature },
    body,
  });
  if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
}

/**
 * Push → Ready for one 10-object app: each push changes a ConfigMap and the
 * Deployment's pod template (a rollout), and is timed from the moment the
 * push has landed until the app is Ready at the new commit. Once announced
 * by a signed webhook, once left to polling. The reference applies the same
 * change with `kubectl apply --server-side` and waits with `kubectl rollout
 * status`: how fast the cluster itself takes the change.
 */
export async function measurePushLatency(input: PushLatencyInput): Promise<PushLatencies> {
  const { rest, git, operator, appsNamespace, run, pushes } = input;
  const dest = { webhook: `bench-push-wh-${run}`, polling: `bench-push-poll-${run}`, kubectl: `bench-push-kc-${run}` };
  await createNamespaces(rest, Object.values(dest), run);
  const watch = new ReadyWatch(rest, appsNamespace);
  await watch.synced;
  const out: PushLatencies = { webhook: [], polling: [], kubectl: [] };
  try {
    for (const mode of ["webhook", "polling"] as const) {
      const repo = `push-${mode}`;
      const repoURL = await git.createRepo(repo);
      let sha = await git.commit(repo, { files: prefixed("app", appManifests("web", { version: "1" })) });
      const interval = mode === "webhook" ? "10m" : `${input.pollSeconds}s`;
      await createApplications(rest, appsNamespace, [{ name: repo, spec: { source: { repoURL, path: "app" }, destination: { namespace: dest[mode] }, interval, syncPolicy: { automated: { prune: true, selfHeal: true } } } }]);
      watch.expect(repo, sha);
      await watch.waitReady([repo], 120_000);
      await sleep(1000); // let the first rollout's status updates settle
      for (let k = 0; k < pushes; k++) {
        sha = await git.commit(repo, { files: prefixed("app", appManifests("web", { version: String(k + 2) })) });
        const pushed = Date.now();
        watch.expect(repo, sha);
        if (mode === "webhook") await sendPushWebhook(operator, repoURL, sha);
        await watch.waitReady([repo], 120_000);
        out[mode].push(watch.readyAt(repo)! - pushed);
        // polling: start the next push at a random phase of the poll interval
        if (mode === "polling") await sleep(Math.random() * 1000);
      }
    }
    await kubectl(["apply", "--server-side", "--field-manager=bench", "-f", "-"], { input: Object.values(appManifests("web", { namespace: dest.kubectl, version: "1" })).join("---\n") });
    await kubectl(["rollout", "status", "deployment/web", "-n", dest.kubectl, "--timeout=120s"]);
    for (let k = 0; k < pushes; k++) {
      const started = performance.now();
      await kubectl(["apply", "--server-side", "--field-manager=bench", "-f", "-"], { input: Object.values(appManifests("web", { namespace: dest.kubectl, version: String(k + 2) })).join("---\n") });
      await kubectl(["rollout", "status", "deployment/web", "-n", dest.kubectl, "--timeout=120s"]);
      out.kubectl.push(performance.now() - started);
    }
  } finally {
    await watch.stop();
  }
  return out;
}

/** The table rows of a push-latency run. */
export function pushLatencyRows(l: PushLatencies): BenchRow[] {
  const ref = latencySummary(l.kubectl);
  const referenceName = "kubectl apply + rollout status";
  const rows: BenchRow[] = [];
  for (const mode of ["webhook", "polling"] as const) {
    const s = latencySummary(l[mode]);
    const bench = `push→Ready (${mode}, ${l[mode].length} pushes)`;
    rows.push(
      row({ bench, metric: "p50", plumb: s.p50, reference: ref.p50, referenceName, unit: "ms", ...(mode === "webhook" ? { target: "< 1000 ms", met: s.p50 < 1000 } : {}) }),
      row({ bench, metric: "p95", plumb: s.p95, reference: ref.p95, referenceName, unit: "ms" }),
      row({ bench, metric: "max", plumb: s.max, reference: ref.max, referenceName, unit: "ms" }),
    );
  }
  return rows;
}

function prefixed(dir: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([f, t]) => [`${dir}/${f}`, t]));
}
