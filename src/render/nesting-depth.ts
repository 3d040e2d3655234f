import { CST, Lexer } from "yaml";

/** Lexer tokens that mark structure but are not source text. */
const CONTROL = new Set(["doc-mode", "flow-error-end", "scalar"]);
const INERT = new Set(["space", "comment", "directive-line", "newline"]);

interface Block {
  column: number;
  sequence: boolean;
}

/**
 * Finds the offset where a YAML text first nests deeper than `limit`, or
 * undefined. `yaml`'s parser takes seconds and gigabytes on a few megabytes
 * of `[[[[…` or `- - - -…`, so this runs first, on the lexer's token stream:
 * linear time, memory bounded by the limit. Block depth comes from the
 * columns where collections open (a sequence may sit at its key's column),
 * flow depth from brackets; the estimate errs by a level or so, which a
 * generous limit absorbs (the parsed value is checked exactly afterwards).
 */
export function findExcessiveNesting(text: string, limit: number): number | undefined {
  let offset = 0;
  let lineStart = 0;
  let opening = true;
  let flowDepth = 0;
  let scalarNext = false;
  const blocks: Block[] = [];
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token) ?? "";
    if (CONTROL.has(type)) {
      scalarNext = type === "scalar";
      continue;
    }
    const at = offset;
    offset += token.length;
    const isScalar = scalarNext;
    scalarNext = false;
    if (type === "doc-start" || type === "doc-end") {
      [flowDepth, blocks.length, opening] = [0, 0, false];
    } else if (type === "flow-map-end" || type === "flow-seq-end") {
      flowDepth = Math.max(0, flowDepth - 1);
    } else if (isScalar || !INERT.has(type)) {
      const indicator = type === "seq-item-ind" || type === "explicit-key-ind";
      // A block scalar's body starts at a line start; its lines are text, not structure.
      if (flowDepth === 0 && opening && !(isScalar && token.includes("\n"))) {
        openBlock(blocks, { column: at - lineStart, sequence: type === "seq-item-ind" });
      }
      if (type === "flow-map-start" || type === "flow-seq-start") flowDepth++;
      opening = indicator;
    }
    if (type === "newline" || (isScalar && token.endsWith("\n"))) [lineStart, opening] = [offset, true];
    if (blocks.length + flowDepth > limit) return at;
  }
  return undefined;
}

/** A collection opening at a column closes the deeper ones (and sibling sequences) before it. */
function openBlock(blocks: Block[], block: Block): void {
  for (let top = blocks.at(-1); top; top = blocks.at(-1)) {
    const closes = top.column > block.column || (top.column === block.column && (top.sequence || !block.sequence));
    if (!closes) break;
    blocks.pop();
  }
  blocks.push(block);
}
