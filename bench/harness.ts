import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { startGitServer } from "../test/support/git-server.js";
import { adminRest, createNamespaces, deleteBenchNamespaces, KUBECONFIG, KUBECTL } from "./cluster.js";
import { diffEngineRows, measureDiffEngine } from "./diff-engine.js";
import { firstSyncRows, measureFirstSync, type FirstSyncResult, type ScaleSetup } from "./first-sync.js";
import { gitFetchRows, measureGitFetch } from "./git-fetch.js";
import { measureOneChange, oneChangeRows } from "./one-change.js";
import { defaultEntry, NODE_FLAGS, startBenchOperator, type OperatorEntry } from "./operator.js";
import { measurePushLatency, pushLatencyRows } from "./push-latency.js";
import type { BenchRow } from "./report.js";
import { measureShipped, shippedRows } from "./shipped.js";
import { measureSteadyState, steadyStateRows } from "./steady-state.js";
import { measureToolSource, toolSourceRows } from "./tool-sources.js";

const REPO = resolve(import.meta.dirname, "..");

/** The benchmarks `make bench` can run. */
export const SECTIONS = ["push", "scale", "steady", "change", "shipped", "git", "diff", "sources"] as const;
export type Section = (typeof SECTIONS)[number];

/** Every knob of a benchmark run (run.ts reads them from BENCH_* variables). */
export interface BenchSettings {
  sections: Section[];
  /** Pushes per push-latency mode. */
  pushes: number;
  pollSeconds: number;
  /** First-sync scales (apps); steady state and one change use the largest. */
  scales: number[];
  steadySeconds: number;
  shippedSeconds: number;
  /** Pause between the first sync and the steady-state window. */
  settleSeconds: number;
  gitFiles: number;
  gitCommits: number;
  gitRuns: number;
  diffSeconds: number;
  /** Where operator logs (and CPU profiles) go. */
  outDir: string;
  /** Write a CPU profile of the largest scale's operator. */
  cpuProfile: boolean;
  /** Extra `plumb operator` flags (e.g. concurrency). */
  operatorFlags: Record<string, string>;
  /** Leave the benchmark's namespaces behind (for a look afterwards). */
  keep: boolean;
  /** Remove namespaces earlier runs left behind before starting (not while another run may be going). */
  cleanLeftovers: boolean;
  /** Run the operator from dist/ or from the sources. */
  entry: OperatorEntry;
  /** Node flags of the operator processes. */
  nodeFlags: string[];
  /** Apps per source kind in the Kustomize/Helm benchmark, and its quiet window (s). */
  sourceApps: number;
  sourceSteadySeconds: number;
  /** Measure the kubectl references of the first sync (off only to save time while tuning). */
  reference: boolean;
  log: (msg: string) => void;
}

/** Defaults of the full run the DESIGN's performance targets are judged on. */
export function defaultSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  const only = env.BENCH_ONLY?.split(",").map((s) => s.trim()).filter(Boolean) as Section[] | undefined;
  for (const s of only ?? []) if (!SECTIONS.includes(s)) throw new Error(`BENCH_ONLY: unknown section "${s}" (one of ${SECTIONS.join(", ")})`);
  return {
    sections: only?.length ? only : [...SECTIONS],
    pushes: num("BENCH_PUSHES", 20),
    pollSeconds: num("BENCH_POLL_SECONDS", 5),
    scales: (env.BENCH_SCALES ?? "10,100,1000").split(",").map(Number).filter((n) => n > 0),
    steadySeconds: num("BENCH_STEADY_SECONDS", 300),
    // every app (interval 3m ± 10 %) comes due at least twice
    shippedSeconds: num("BENCH_SHIPPED_SECONDS", 400),
    settleSeconds: num("BENCH_SETTLE_SECONDS", 30),
    gitFiles: num("BENCH_GIT_FILES", 5000),
    gitCommits: num("BENCH_GIT_COMMITS", 1000),
    gitRuns: num("BENCH_GIT_RUNS", 3),
    diffSeconds: num("BENCH_DIFF_SECONDS", 3),
    outDir: env.BENCH_OUT ?? join(REPO, "bench/results"),
    cpuProfile: env.BENCH_CPU_PROF === "1",
    operatorFlags: env.BENCH_CONCURRENCY ? { concurrency: env.BENCH_CONCURRENCY } : {},
    keep: env.BENCH_KEEP === "1",
    cleanLeftovers: true,
    nodeFlags: env.BENCH_NODE_FLAGS !== undefined ? env.BENCH_NODE_FLAGS.split(" ").filter(Boolean) : NODE_FLAGS,
    reference: env.BENCH_NO_REFERENCE !== "1",
    sourceApps: num("BENCH_SOURCE_APPS", 100),
    sourceSteadySeconds: num("BENCH_SOURCE_STEADY_SECONDS", 60),
    entry: env.BENCH_OPERATOR === "src" || env.BENCH_OPERATOR === "dist" ? env.BENCH_OPERATOR : defaultEntry(),
    log: (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`),
  };
}

/** Starts the local cluster if needed (idempotent) and installs the CRD. */
export function ensureCluster(): void {
  execFileSync(join(REPO, "hack/cluster/cluster.sh"), ["up"], { stdio: ["ignore", "ignore", "inherit"], timeout: 3_600_000 });
  execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, "apply", "--server-side", "--force-conflicts", "-f", join(REPO, "deploy/crd")], { stdio: "ignore" });
  execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, "wait", "--for=condition=Established", "crd/applications.plumb.dev", "--timeout=60s"], { stdio: "ignore" });
}

/** What a run produced: the rows and the raw results behind them. */
export interface BenchOutcome {
  rows: BenchRow[];
  raw: Record<string, unknown>;
}

/**
 * Runs the selected benchmarks against the local cluster and a local Git
 * server, each Plumb figure beside its reference from the same run, and
 * cleans up what it created. The cluster must be up (see ensureCluster).
 */
export async function runBench(s: BenchSettings): Promise<BenchOutcome> {
  const rest = adminRest();
  const run = randomBytes(3).toString("hex");
  const rows: BenchRow[] = [];
  const raw: Record<string, unknown> = { run };
  const has = (x: Section) => s.sections.includes(x);
  if (s.cleanLeftovers) {
    const left = await deleteBenchNamespaces(rest, { timeoutMs: 600_000 });
    if (left) s.log(`removed ${left} namespace(s) left by an earlier run`);
  }
  const git = await startGitServer();
  let setup: ScaleSetup | undefined;
  try {
    if (has("diff")) {
      s.log("diff engine");
      const d = measureDiffEngine({ seconds: s.diffSeconds });
      raw.diff = d;
      rows.push(...diffEngineRows(d));
    }
    if (has("git")) {
      s.log(`git: generating ${s.gitFiles} files × ${s.gitCommits} commits`);
      const g = await measureGitFetch({ git, files: s.gitFiles, commits: s.gitCommits, runs: s.gitRuns, entry: s.entry });
      raw.git = g;
      rows.push(...gitFetchRows(g));
    }
    if (has("push")) {
      s.log(`push latency: ${s.pushes} pushes per mode`);
      const appsNamespace = `bench-apps-push-${run}`;
      await createNamespaces(rest, [appsNamespace], run);
      const operator = await startBenchOperator({ namespace: appsNamespace, kubeconfig: KUBECONFIG, logFile: join(s.outDir, "operator-push.log"), flags: s.operatorFlags, entry: s.entry, nodeFlags: s.nodeFlags });
      try {
        const l = await measurePushLatency({ rest, git, operator, appsNamespace, run, pushes: s.pushes, pollSeconds: s.pollSeconds });
        raw.push = l;
        rows.push(...pushLatencyRows(l));
      } finally {
        await operator.stop();
      }
    }
    if (has("sources")) {
      for (const kind of ["kustomize", "helm"] as const) {
        s.log(`${kind}: first sync of ${s.sourceApps} apps, then ${s.sourceSteadySeconds} s at rest`);
        const t = await measureToolSource({ rest, git, kind, n: s.sourceApps, run, logDir: s.outDir, steadySeconds: s.sourceSteadySeconds, entry: s.entry, operatorFlags: s.operatorFlags });
        raw[`sources-${kind}`] = t;
        rows.push(...toolSourceRows(t));
      }
    }
    const needScale = has("scale") || has("steady") || has("change") || has("shipped");
    const scales = needScale ? [...s.scales].sort((a, b) => a - b) : [];
    const firstSyncs: FirstSyncResult[] = [];
    for (const [idx, n] of scales.entries()) {
      const largest = idx === scales.length - 1;
      if (!largest && !has("scale")) continue;
      s.log(`first sync: ${n} apps`);
      const { result, setup: st } = await measureFirstSync({ rest, git, n, run, logDir: s.outDir, operatorFlags: s.operatorFlags, entry: s.entry, nodeFlags: s.nodeFlags, reference: s.reference, ...(largest && s.cpuProfile ? { cpuProfileDir: join(s.outDir, "profiles") } : {}) });
      s.log(`first sync: ${n} apps Ready in ${(result.plumbMs / 1000).toFixed(1)} s (kubectl ${(result.kubectlReadyMs / 1000).toFixed(1)} s)`);
      firstSyncs.push(result);
      if (has("scale")) rows.push(...firstSyncRows(result, largest));
      if (largest) setup = st;
      else {
        await st.watch.stop();
        await st.operator.stop();
      }
    }
    raw.firstSync = firstSyncs;
    if (setup && has("steady")) {
      s.log(`steady state: ${s.steadySeconds} s with nothing changed`);
      const st = await measureSteadyState({ setup, git, seconds: s.steadySeconds, settleSeconds: s.settleSeconds });
      raw.steady = st;
      rows.push(...steadyStateRows(st));
    }
    if (setup && has("change")) {
      s.log("one change among many");
      const c = await measureOneChange({ setup, git });
      raw.oneChange = c;
      rows.push(...oneChangeRows(c));
    }
    if (setup && has("shipped")) {
      s.log(`as shipped: two replicas with leader election, a restart, ${s.shippedSeconds} s at rest, a failover`);
      const sh = await measureShipped({ rest, setup, seconds: s.shippedSeconds, logDir: s.outDir, objectsPerApp: 10, flags: s.operatorFlags, entry: s.entry, nodeFlags: s.nodeFlags });
      raw.shipped = sh;
      rows.push(...shippedRows(sh));
    }
  } finally {
    if (setup) {
      await setup.watch.stop();
      await setup.operator.stop();
    }
    await git.stop();
    if (!s.keep) {
      s.log("cleaning up");
      await deleteBenchNamespaces(rest, { run, wait: false }).catch(() => undefined);
    }
    rest.close();
  }
  return { rows, raw };
}
