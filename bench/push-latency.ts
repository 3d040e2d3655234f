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

/** How pushes are announced and what they change. */
export const PUSH_MODES = ["webhook", "webhook-rollout", "polling"] as const;
export type PushMode = (typeof PUSH_MODES)[number];

/** Raw latencies (ms) of one run. */
export interface PushLatencies {
  /** Config-only change (one ConfigMap), announced by webhook. */
  webhook: number[];
  /** Image change (a ConfigMap and the Deployment: a rollout), announced by webhook. */
  "webhook-rollout": number[];
  /** Config-only change, noticed by polling. */
  polling: number[];
  /** kubectl apply --server-side of the same config change. */
  kubectl: number[];
  /** kubectl apply --server-side of the same image change + rollout status. */
  "kubectl-rollout": number[];
  /** API server outages the operator saw (disturbed numbers). */
  apiOutages: number;
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
 * Push → Ready for one 10-object app, timed from the moment the push has
 * landed until the app is Ready at the new commit: a config change (one
 * ConfigMap) announced by a signed webhook, an image change (a rollout)
 * announced by webhook, and a config change left to polling. The references
 * apply the same changes with `kubectl apply --server-side` (and wait with
 * `kubectl rollout status` for the image change): how fast the cluster
 * itself takes them.
 */
export async function measurePushLatency(input: PushLatencyInput): Promise<PushLatencies> {
  const { rest, git, operator, appsNamespace, run, pushes } = input;
  const dest = (what: string) => `bench-push-${what}-${run}`;
  await createNamespaces(rest, [...PUSH_MODES.map(dest), dest("kubectl")], run);
  const watch = new ReadyWatch(rest, appsNamespace);
  await watch.synced;
  const out: PushLatencies = { webhook: [], "webhook-rollout": [], polling: [], kubectl: [], "kubectl-rollout": [], apiOutages: 0 };
  const change = (mode: PushMode | "kubectl" | "kubectl-rollout", k: number) =>
    mode.endsWith("rollout") ? { version: String(k + 2) } : { setting: String(k + 2) };
  try {
    for (const mode of PUSH_MODES) {
      const repo = `push-${mode}`;
      const repoURL = await git.createRepo(repo);
      let sha = await git.commit(repo, { files: prefixed("app", appManifests("web")) });
      const interval = mode === "polling" ? `${input.pollSeconds}s` : "10m";
      await createApplications(rest, appsNamespace, [{ name: repo, spec: { source: { repoURL, path: "app" }, destination: { namespace: dest(mode) }, interval, syncPolicy: { automated: { prune: true, selfHeal: true } } } }]);
      watch.expect(repo, sha);
      await watch.waitReady([repo], 120_000);
      await sleep(1000); // let the first rollout's status updates settle
      for (let k = 0; k < pushes; k++) {
        sha = await git.commit(repo, { files: prefixed("app", appManifests("web", change(mode, k))) });
        const pushed = Date.now();
        watch.expect(repo, sha);
        if (mode !== "polling") await sendPushWebhook(operator, repoURL, sha);
        await watch.waitReady([repo], 120_000);
        out[mode].push(watch.readyAt(repo)! - pushed);
        // polling: the next push lands at a random phase of the poll interval
        await sleep(mode === "polling" ? Math.random() * input.pollSeconds * 1000 : 200);
      }
    }
    const ns = dest("kubectl");
    const apply = (files: Record<string, string>) => kubectl(["apply", "--server-side", "--field-manager=bench", "-f", "-"], { input: Object.values(files).join("---\n") });
    await apply(appManifests("web", { namespace: ns }));
    await kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=120s"]);
    for (const mode of ["kubectl", "kubectl-rollout"] as const) {
      for (let k = 0; k < pushes; k++) {
        const started = performance.now();
        // the rollout series keeps the config the config series left
        await apply(appManifests("web", { namespace: ns, ...(mode === "kubectl-rollout" ? { setting: String(pushes + 1) } : {}), ...change(mode, k) }));
        if (mode === "kubectl-rollout") await kubectl(["rollout", "status", "deployment/web", "-n", ns, "--timeout=120s"]);
        out[mode].push(performance.now() - started);
      }
    }
  } finally {
    await watch.stop();
  }
  out.apiOutages = operator.apiOutages();
  return out;
}

/** The table rows of a push-latency run. */
export function pushLatencyRows(l: PushLatencies): BenchRow[] {
  const rows: BenchRow[] = [];
  const series = [
    { mode: "webhook", title: "config change, webhook", ref: "kubectl", referenceName: "kubectl apply --server-side" },
    { mode: "webhook-rollout", title: "image change (rollout), webhook", ref: "kubectl-rollout", referenceName: "kubectl apply + rollout status" },
    { mode: "polling", title: "config change, polling", ref: "kubectl", referenceName: "kubectl apply --server-side" },
  ] as const;
  for (const { mode, title, ref, referenceName } of series) {
    const s = latencySummary(l[mode]);
    const r = latencySummary(l[ref]);
    const bench = `push→Ready (${title}, ${l[mode].length} pushes)`;
    const disturbed = l.apiOutages ? { note: `DISTURBED: the API server was unreachable ${l.apiOutages}×` } : {};
    rows.push(
      row({ bench, metric: "p50", ...disturbed, plumb: s.p50, reference: r.p50, referenceName, unit: "ms", ...(mode === "webhook" ? { target: "< 1000 ms", met: s.p50 < 1000 } : {}) }),
      row({ bench, metric: "p95", plumb: s.p95, reference: r.p95, referenceName, unit: "ms" }),
      row({ bench, metric: "max", plumb: s.max, reference: r.max, referenceName, unit: "ms" }),
    );
  }
  return rows;
}

function prefixed(dir: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([f, t]) => [`${dir}/${f}`, t]));
}
