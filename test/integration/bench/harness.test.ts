import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { defaultSettings, runBench } from "../../../bench/harness.js";
import { COLUMNS, formatTable, tableCells } from "../../../bench/report.js";

// The benchmark harness at toy size: every benchmark runs end to end against
// the real cluster and Git server and lands in the table. No timing is
// asserted here; timing goals belong to `make bench`.

const out = mkdtempSync(join(tmpdir(), "plumb-bench-test-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it("runs every benchmark at tiny size and prints a row per figure", async () => {
  const settings = {
    ...defaultSettings({}),
    pushes: 2,
    pollSeconds: 2,
    scales: [2],
    steadySeconds: 5,
    shippedSeconds: 5,
    sourceApps: 2,
    sourceSteadySeconds: 5,
    settleSeconds: 1,
    gitFiles: 50,
    gitCommits: 5,
    gitRuns: 1,
    diffSeconds: 0.2,
    outDir: out,
    cleanLeftovers: false,
    entry: "src" as const,
    log: () => undefined,
  };
  const { rows } = await runBench(settings);
  const table = formatTable(rows);
  console.log(table);

  const names = rows.map((r) => `${r.bench} / ${r.metric}`);
  for (const expected of [
    "diff engine (in-process) / normalize + compare",
    "Git: 50 files, 5 commits / cold fetch + checkout",
    "Git: 50 files, 5 commits / event-loop lag p99 during fetch",
    "push→Ready (config change, webhook, 2 pushes) / p50",
    "push→Ready (config change, webhook, 2 pushes) / p95",
    "push→Ready (config change, webhook, 2 pushes) / max",
    "push→Ready (image change (rollout), webhook, 2 pushes) / p50",
    "push→Ready (config change, polling, 2 pushes) / p50",
    "first sync N=2 (20 objects) / time to all Ready",
    "first sync N=2 (20 objects) / apps/s",
    "first sync N=2 (20 objects) / objects/s",
    "first sync N=2 (20 objects) / operator peak RSS",
    "first sync N=2 (20 objects) / client CPU",
    "first sync N=2 (20 objects) / cluster CPU",
    "steady state N=2, 5 s / API writes (incl. dry-runs)",
    "steady state N=2, 5 s / Git requests per repo",
    "steady state N=2, 5 s / operator RSS",
    "one change among N=2 (webhook refreshes 1 apps) / objects written",
    "one change among N=2 (webhook refreshes 1 apps) / push→Ready (changed app)",
    "as shipped (2 replicas, leader election) N=2 / dry-runs after a restart",
    "as shipped (2 replicas, leader election) N=2 / dry-runs after a failover",
    "as shipped (2 replicas, leader election) N=2 / app-object writes in 5 s at rest",
    "as shipped (2 replicas, leader election) N=2 / Lease writes in 5 s",
  ]) {
    expect(names).toContain(expected);
  }
  // every row fills every column, and figures with a reference carry it
  for (const cells of tableCells(rows)) expect(cells).toHaveLength(COLUMNS.length);
  expect(table.split("\n")[0]).toContain("| benchmark");
  for (const r of rows.filter((x) => x.metric === "time to all Ready" || x.metric === "cold fetch + checkout" || x.metric === "p50")) {
    expect(r.reference, `${r.bench} / ${r.metric}`).toBeGreaterThan(0);
    expect(r.ratio).toBeGreaterThan(0);
  }
}, 1_500_000); // a bound, not an expectation: every section, on a machine that may be busy
