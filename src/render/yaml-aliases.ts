import { isAlias, isNode, visit, type Document, type LineCounter } from "yaml";
import { renderErrorAt } from "./render-error.js";

/**
 * Refuses aliases that name no earlier anchor or that refer to a node
 * containing them (`&a {self: *a}`), pointing at the alias itself; `yaml`
 * would otherwise fail later without a position or build a cyclic object.
 */
export function assertAliasesResolvable(opts: { doc: Document.Parsed; file: string; lineCounter: LineCounter }): void {
  const anchors = new Set<string>();
  visit(opts.doc, (_key, node, path) => {
    if (isAlias(node)) {
      const recursive = path.some((parent) => isNode(parent) && !isAlias(parent) && parent.anchor === node.source);
      if (recursive || !anchors.has(node.source)) {
        const at = opts.lineCounter.linePos(node.range?.[0] ?? 0);
        const message = recursive
          ? `alias *${node.source} refers to a node that contains it`
          : `alias *${node.source} has no anchor &${node.source} before it`;
        throw renderErrorAt({ file: opts.file, line: at.line, column: at.col }, { code: "InvalidYAML", message });
      }
    } else if (isNode(node) && node.anchor) {
      anchors.add(node.anchor);
    }
  });
}
