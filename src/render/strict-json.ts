import { positionAt, renderErrorAt } from "./render-error.js";

/**
 * Parses a `.json` manifest with JSON.parse (no comments, no trailing commas)
 * and turns a syntax error into InvalidJSON with the line and column.
 */
export function parseStrictJson(file: string, text: string): { value: unknown } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = positionOf(message, text.length) ?? firstBadOffset(text);
    const { line, column } = positionAt(text, offset);
    const reason = message
      .replace(/ in JSON at position.*$/s, "")
      .replace(/, ".*$/s, "")
      .replace(/^Unexpected end of JSON input$/, "unexpected end of input");
    throw renderErrorAt({ file, line, column }, { code: "InvalidJSON", message: `invalid JSON: ${reason}`, cause: err });
  }
}

function positionOf(message: string, length: number): number | undefined {
  if (/^Unexpected end of JSON input/.test(message)) return length;
  const match = /at position (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * V8 omits the position for some errors ("Unexpected token"). A prefix that
 * ends before the bad character fails only for running out of input, so the
 * shortest prefix that fails for another reason ends just after it.
 */
function firstBadOffset(text: string): number {
  const failsBeforeEnd = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (err) {
      const message = err instanceof Error ? err.message : "";
      if (/Unexpected end|Unterminated string/.test(message)) return false;
      const at = positionOf(message, k);
      return at === undefined || at < k;
    }
  };
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (failsBeforeEnd(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}
