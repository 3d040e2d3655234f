import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

/**
 * One line of the benchmark table: a Plumb figure, the reference measured in
 * the same run (when there is one), their ratio, and the target it is judged
 * against. `met` is undefined when the row has no target.
 */
export interface BenchRow {
  /** Which benchmark (e.g. "first sync N=1000"). */
  bench: string;
  /** What is measured (e.g. "time to all Ready"). */
  metric: string;
  plumb: number;
  /** The reference's value in the same unit; undefined when there is none. */
  reference?: number;
  /** What the reference is (e.g. "kubectl apply --server-side"). */
  referenceName?: string;
  unit: string;
  /** plumb / reference, when both exist. */
  ratio?: number;
  /** Human-readable target, e.g. "< 1000 ms". */
  target?: string;
  met?: boolean;
  /** Anything worth knowing to read the number. */
  note?: string;
}

/** The columns of the printed table, in order. */
export const COLUMNS = ["benchmark", "metric", "Plumb", "reference", "ratio", "target", "ok"] as const;

/** Builds a row, computing the ratio when a reference is given. */
export function row(r: Omit<BenchRow, "ratio">): BenchRow {
  const ratio = r.reference !== undefined && r.reference !== 0 && Number.isFinite(r.plumb) ? r.plumb / r.reference : undefined;
  return { ...r, ...(ratio !== undefined ? { ratio } : {}) };
}

/** A number for the table: integers as is, others with 2–3 significant decimals. */
export function formatValue(n: number | undefined, unit = ""): string {
  if (n === undefined) return "—";
  if (!Number.isFinite(n)) return "n/a";
  const abs = Math.abs(n);
  const text = Number.isInteger(n) ? String(n) : abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : abs >= 1 ? n.toFixed(2) : n.toFixed(3);
  return unit ? `${text} ${unit}` : text;
}

/** The rows as cells, one array per row, matching COLUMNS. */
export function tableCells(rows: readonly BenchRow[]): string[][] {
  return rows.map((r) => [
    r.bench,
    r.metric,
    formatValue(r.plumb, r.unit),
    r.reference === undefined ? "—" : `${formatValue(r.reference, r.unit)}${r.referenceName ? ` (${r.referenceName})` : ""}`,
    r.ratio === undefined ? "—" : `${r.ratio.toFixed(2)}×`,
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "met" : "MISSED",
  ]);
}

/** The table as aligned plain text (also valid Markdown). */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = [[...COLUMNS], ...tableCells(rows)];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(cells[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

/** Where and on what the benchmarks ran. */
export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const c = cpus();
  return { date: new Date().toISOString(), cpus: c.length, cpuModel: c[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

/** Writes the rows and settings as JSON under `dir`; returns the file path. */
export function writeResults(dir: string, data: { machine: MachineInfo; settings: Record<string, unknown>; rows: readonly BenchRow[]; extra?: Record<string, unknown> }): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${data.machine.date.replaceAll(":", "-").replace(/\..*$/, "")}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
  writeFileSync(join(dir, "latest.json"), JSON.stringify(data, null, 2) + "\n");
  return file;
}
