/**
 * A kubectl-style table: upper-case headers, columns padded to the widest
 * cell with three spaces between, no borders, "<none>" for empty cells.
 */
export function formatTable(headers: string[], rows: (string | number | undefined)[][]): string {
  const cells = rows.map((r) => headers.map((_h, i) => { const v = r[i]; return v === undefined || v === "" ? "<none>" : String(v).replace(/\s+/g, " "); }));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("   ").trimEnd();
  return `${[line(headers), ...cells.map(line)].join("\n")}\n`;
}

/** `2026-12-04T16:50:12Z` → `2026-12-04 16:50:12` (UTC, as the API says it). */
export function shortTime(iso: string | undefined): string | undefined {
  return iso ? iso.replace("T", " ").replace(/(\.\d+)?Z$/, "") : undefined;
}
