import { SpecError } from "../errors.js";

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go-style duration ("90s", "3m", "1h30m", "500ms") into
 * milliseconds; `fallback` when absent. Invalid text is a spec error.
 */
export function durationMs(text: string | undefined, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== text) {
    throw new SpecError(`invalid duration "${text}": use forms like 30s, 5m, 1h30m`, { data: { value: text } });
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
}
