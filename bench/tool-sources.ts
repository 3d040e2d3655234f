import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { RestClient } from "../src/kube/rest.js";
import type { GitServer } from "../test/support/git-server.js";
import { createApplications, createNamespaces, KUBECONFIG, kubectl, ReadyWatch } from "./cluster.js";
import { appManifests, appName, appPath, OBJECTS_PER_APP, repoOf, REPOS } from "./fixtures.js";
import { startBenchOperator, sumBy, type OperatorEntry } from "./operator.js";
import { row, type BenchRow } from "./report.js";
import { mapLimit, sleep } from "./stats.js";

const REPO = resolve(import.meta.dirname, "..");
const BIN = { kustomize: join(REPO, ".cache/tools/bin/kustomize"), helm: join(REPO, ".cache/tools/bin/helm") };

/** What one source kind's first sync and quiet window measured. */
export interface ToolSourceResult {
  kind: "kustomize" | "helm";
  n: number;
  /** Applications created → every app Ready (ms). */
  plumbMs: number;
  /** Reference: render every app with the tool, then kubectl apply --server-side + wait Available (ms). */
  referenceMs: number;
  /** Of the reference: the tool runs alone (ms). */
  renderMs: number;
  /** Tool processes the operator started during the first sync, and during the quiet window. */
  firstSyncExecs: number;
  steadyExecs: number;
  steadySeconds: number;
  /** Kubernetes API writes (POST/PUT/PATCH/DELETE) and dry-runs during the quiet window. */
  steadyWrites: number;
  steadyDryRuns: number;
}

/** App `i` as a Kustomize overlay (a kustomization listing the app's files) or a Helm chart (templates). */
function appSource(kind: "kustomize" | "helm", i: number): Record<string, string> {
  const files = appManifests(appName(i));
  const out: Record<string, string> = {};
  const dir = appPath(i);
  if (kind === "kustomize") {
    for (const [f, text] of Object.entries(files)) out[`${dir}/${f}`] = text;
    out[`${dir}/kustomization.yaml`] = `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${Object.keys(files).map((f) => `  - ${f}`).join("\n")}\nlabels:\n  - pairs: {app.kubernetes.io/part-of: bench}\n`;
  } else {
    for (const [f, text] of Object.entries(files)) out[`${dir}/templates/${f}`] = text;
    out[`${dir}/Chart.yaml`] = `apiVersion: v2\nname: ${appName(i)}\nversion: 1.0.0\n`;
    out[`${dir}/values.yaml`] = "replicaCount: 1\n";
  }
  return out;
}

function runTool(bin: string, args: string[]): Promise<string> {
  return new Promise((res, rej) => execFile(bin, args, { maxBuffer: 64 << 20, env: { PATH: process.env.PATH ?? "", HOME: tmpdir() } }, (err, out) => (err ? rej(err) : res(out))));
}

/**
 * A wrapper that counts its runs in a file, then runs the real tool: the
 * operator runs it as --kustomize-bin / --helm-bin (its scrubbed
 * environment cannot carry the count file, so its path is written in).
 */
function countingWrapper(dir: string, tool: "kustomize" | "helm"): { bin: string; count: () => number } {
  const bin = join(dir, tool);
  const counter = join(dir, `${tool}.count`);
  writeFileSync(counter, "");
  writeFileSync(bin, `#!/bin/sh\necho x >> '${counter}'\nexec '${BIN[tool]}' "$@"\n`);
  chmodSync(bin, 0o755);
  return { bin, count: () => readFileSync(counter, "utf8").length / 2 };
}

/**
 * First sync of `n` Kustomize (or Helm) apps of 10 objects each, against
 * the reference a person would run (the tool per app, then one `kubectl
 * apply --server-side` and a wait for the Deployments), then a quiet window
 * in which an unchanged app should cost no tool run and no API write.
 */
export async function measureToolSource(input: { rest: RestClient; git: GitServer; kind: "kustomize" | "helm"; n: number; run: string; logDir: string; steadySeconds: number; entry?: OperatorEntry; operatorFlags?: Record<string, string> }): Promise<ToolSourceResult> {
  const { rest, git, kind, n, run } = input;
  const run0 = runTool;
  const work = mkdtempSync(join(tmpdir(), `plumb-bench-${kind}-`));
  try {
    // the reference, rendered from a checkout of the same files
    const sources = Array.from({ length: n }, (_, i) => appSource(kind, i));
    for (const files of sources) {
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(work, "src", rel)), { recursive: true });
        writeFileSync(join(work, "src", rel), text);
      }
    }
    const refNs = Array.from({ length: REPOS }, (_, r) => `bk${kind[0]}-${n}-${r}-${run}`);
    await createNamespaces(rest, refNs, run);
    const t0 = Date.now();
    const rendered = await mapLimit(Array.from({ length: n }, (_, i) => i), 2, (i) =>
      kind === "kustomize" ? run0(BIN.kustomize, ["build", join(work, "src", appPath(i))]) : run0(BIN.helm, ["template", appName(i), join(work, "src", appPath(i)), "--namespace", refNs[repoOf(i)]!]),
    );
    const renderMs = Date.now() - t0;
    const stream = rendered.map((text, i) => text.replace(/^metadata:\n/gm, `metadata:\n  namespace: ${refNs[repoOf(i)]}\n`)).join("\n---\n");
    const apply = await kubectl(["apply", "--server-side", "--field-manager=bench", "-f", "-"], { input: stream });
    const waited = await Promise.all(refNs.slice(0, Math.min(n, REPOS)).map((ns) => kubectl(["wait", "--for=condition=Available", "deployment", "--all", "-n", ns, `--timeout=${600 + n}s`])));
    const referenceMs = renderMs + apply.ms + Math.max(...waited.map((w) => w.ms));

    // Plumb
    const appsNamespace = `bench-apps-${kind}-${n}-${run}`;
    const destNs = Array.from({ length: REPOS }, (_, r) => `bp${kind[0]}-${n}-${r}-${run}`);
    await createNamespaces(rest, [appsNamespace, ...destNs], run);
    const repos = await mapLimit(Array.from({ length: Math.min(n, REPOS) }, (_, r) => r), 4, async (r) => {
      const name = `${kind}-${n}-r${r}`;
      const url = await git.createRepo(name);
      const files: Record<string, string> = {};
      for (let i = r; i < n; i += REPOS) Object.assign(files, sources[i]);
      return { url, sha: await git.commit(name, { files }) };
    });
    const wrapper = countingWrapper(work, kind);
    const operator = await startBenchOperator({
      namespace: appsNamespace,
      kubeconfig: KUBECONFIG,
      logFile: join(input.logDir, `operator-${kind}-${n}.log`),
      flags: { ...input.operatorFlags, [`${kind}-bin`]: wrapper.bin },
      ...(input.entry ? { entry: input.entry } : {}),
    });
    const watch = new ReadyWatch(rest, appsNamespace);
    try {
      await watch.synced;
      const names = Array.from({ length: n }, (_, i) => `${kind}-${appName(i)}`);
      names.forEach((name, i) => watch.expect(name, repos[repoOf(i)]!.sha));
      const started = Date.now();
      await createApplications(rest, appsNamespace, names.map((name, i) => ({
        name,
        spec: { source: { repoURL: repos[repoOf(i)]!.url, path: appPath(i), ...(kind === "helm" ? { helm: { releaseName: appName(i) } } : {}) }, destination: { namespace: destNs[repoOf(i)]! }, interval: "10s", syncPolicy: { automated: { prune: true, selfHeal: true } } },
      })));
      await watch.waitReady(names, 300_000 + n * 2_000);
      const plumbMs = Math.max(...names.map((name) => watch.readyAt(name)!)) - started;
      const firstSyncExecs = wrapper.count();
      await sleep(15_000); // last rollouts' status updates
      const execs0 = wrapper.count();
      const m0 = sumBy(await operator.metrics(), "plumb_kube_api_requests_total", "verb");
      await sleep(input.steadySeconds * 1000);
      const m1 = sumBy(await operator.metrics(), "plumb_kube_api_requests_total", "verb");
      const delta = (v: string) => (m1[v] ?? 0) - (m0[v] ?? 0);
      return {
        kind, n, plumbMs, referenceMs, renderMs, firstSyncExecs,
        steadyExecs: wrapper.count() - execs0,
        steadySeconds: input.steadySeconds,
        steadyWrites: ["POST", "PUT", "PATCH", "DELETE"].reduce((s, v) => s + delta(v), 0),
        steadyDryRuns: delta("DRYRUN"),
      };
    } finally {
      await watch.stop();
      await operator.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}


/** The table rows of one source kind. */
export function toolSourceRows(r: ToolSourceResult): BenchRow[] {
  const tool = r.kind === "kustomize" ? "kustomize build" : "helm template";
  const bench = `${r.kind} first sync N=${r.n} (${r.n * OBJECTS_PER_APP} objects)`;
  return [
    row({ bench, metric: "time to all Ready", plumb: r.plumbMs / 1000, reference: r.referenceMs / 1000, referenceName: `${tool} per app + kubectl apply --server-side + wait Available`, unit: "s" }),
    row({ bench, metric: `${tool} alone`, plumb: r.plumbMs / 1000, reference: r.renderMs / 1000, referenceName: `${r.n} × ${tool}, 2 at a time`, unit: "s" }),
    row({ bench, metric: "tool runs", plumb: r.firstSyncExecs, reference: r.n, referenceName: "one per app", unit: "" }),
    row({ bench: `${r.kind} steady state N=${r.n} (${r.steadySeconds} s, interval 10 s)`, metric: "tool runs", plumb: r.steadyExecs, unit: "", target: "0", met: r.steadyExecs === 0 }),
    row({ bench: `${r.kind} steady state N=${r.n} (${r.steadySeconds} s, interval 10 s)`, metric: "API writes", plumb: r.steadyWrites, unit: "", target: "0", met: r.steadyWrites === 0, note: `dry-runs: ${r.steadyDryRuns}` }),
  ];
}
