/** One line of an edit script: kept (" "), removed ("-") or added ("+"). */
export interface LineEdit {
  op: " " | "-" | "+";
  line: string;
}

/** Above this many LCS cells the middle is shown as replaced wholesale. */
const MAX_LCS_CELLS = 4_000_000;

/**
 * A shortest edit script between two line lists: common prefix and suffix
 * trimmed, then a classic LCS table. Kubernetes objects dumped as YAML are a
 * few hundred lines, so the quadratic table is cheap; huge inputs degrade to
 * "all removed, all added" instead of exhausting memory.
 */
export function diffLines(before: readonly string[], after: readonly string[]): LineEdit[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) [endB, endA] = [endB - 1, endA - 1];
  const keep = (lines: readonly string[]): LineEdit[] => lines.map((line) => ({ op: " ", line }));
  return [...keep(before.slice(0, start)), ...middle(before.slice(start, endB), after.slice(start, endA)), ...keep(before.slice(endB))];
}

function middle(b: readonly string[], a: readonly string[]): LineEdit[] {
  const removed = b.map((line): LineEdit => ({ op: "-", line }));
  const added = a.map((line): LineEdit => ({ op: "+", line }));
  if (b.length === 0 || a.length === 0 || (b.length + 1) * (a.length + 1) > MAX_LCS_CELLS) return [...removed, ...added];
  const width = a.length + 1;
  // lcs[i * width + j] = LCS length of b[i..] and a[j..].
  const lcs = new Uint32Array((b.length + 1) * width);
  for (let i = b.length - 1; i >= 0; i--) {
    for (let j = a.length - 1; j >= 0; j--) {
      lcs[i * width + j] = b[i] === a[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const out: LineEdit[] = [];
  let [i, j] = [0, 0];
  while (i < b.length || j < a.length) {
    if (i < b.length && j < a.length && b[i] === a[j]) {
      out.push({ op: " ", line: b[i]! });
      [i, j] = [i + 1, j + 1];
    } else if (j >= a.length || (i < b.length && lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) out.push(removed[i++]!);
    else out.push(added[j++]!);
  }
  return out;
}

/**
 * Groups an edit script into unified-diff hunks with `context` unchanged
 * lines around each change, headed `@@ -l,n +l,n @@`.
 */
export function formatHunks(edits: readonly LineEdit[], context = 3): string[] {
  const changed = edits.flatMap((e, index) => (e.op === " " ? [] : [index]));
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, changed[k]! - context);
    let to = changed[k]!;
    while (k < changed.length && changed[k]! - to <= 2 * context) to = changed[k++]!;
    const slice = edits.slice(from, Math.min(edits.length, to + context + 1));
    const before = edits.slice(0, from);
    const oldStart = before.filter((e) => e.op !== "+").length;
    const newStart = before.filter((e) => e.op !== "-").length;
    const oldCount = slice.filter((e) => e.op !== "+").length;
    const newCount = slice.filter((e) => e.op !== "-").length;
    out.push(`@@ -${rangeOf(oldStart, oldCount)} +${rangeOf(newStart, newCount)} @@`);
    for (const e of slice) out.push(`${e.op}${e.line}`);
  }
  return out;
}

/** GNU diff's range: 1-based start, and an empty range names the line before it. */
function rangeOf(start: number, count: number): string {
  return `${count === 0 ? start : start + 1},${count}`;
}
