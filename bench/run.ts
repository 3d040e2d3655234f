// `make bench`: runs every benchmark against the local cluster and prints
// one table, each Plumb figure beside its reference from the same run.
// Knobs (environment): BENCH_ONLY=push,scale,steady,change,shipped,git,diff,sources
// BENCH_SHIPPED_SECONDS=400 BENCH_SOURCE_APPS=100 BENCH_SOURCE_STEADY_SECONDS=60
// BENCH_PUSHES=20 BENCH_SCALES=10,100,1000 BENCH_STEADY_SECONDS=300 BENCH_SETTLE_SECONDS=30
// BENCH_POLL_SECONDS=5 BENCH_GIT_FILES=5000 BENCH_GIT_COMMITS=1000
// BENCH_GIT_RUNS=3 BENCH_DIFF_SECONDS=3 BENCH_CONCURRENCY=<n>
// BENCH_CPU_PROF=1 (profile the largest scale's operator) BENCH_KEEP=1
// BENCH_NODE_FLAGS="--max-semi-space-size=4" BENCH_NO_REFERENCE=1 BENCH_OPERATOR=dist|src
// BENCH_OUT=<dir> (default bench/results). See docs/benchmarks.md.
import { defaultSettings, ensureCluster, runBench } from "./harness.js";
import { formatTable, machineInfo, writeResults } from "./report.js";

const settings = defaultSettings();
const machine = machineInfo();
settings.log(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
ensureCluster();
const { rows, raw } = await runBench(settings);
const { log: _log, ...shown } = settings;
const file = writeResults(settings.outDir, { machine, settings: shown, rows, extra: raw });
console.log(`\nPlumb benchmarks — ${machine.date.slice(0, 10)}, ${machine.cpus} CPUs, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);
console.log(formatTable(rows));
const notes = rows.filter((r) => r.note);
if (notes.length) {
  console.log("\nnotes:");
  for (const r of notes) console.log(`  ${r.bench} / ${r.metric}: ${r.note}`);
}
const missed = rows.filter((r) => r.met === false);
console.log(`\n${rows.filter((r) => r.met !== undefined).length - missed.length} target(s) met, ${missed.length} missed; results in ${file}`);
