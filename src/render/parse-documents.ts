import { isMap, isSeq, LineCounter, parseAllDocuments, type Document, type YAMLError } from "yaml";
import { RenderError } from "../errors.js";
import type { RenderErrorCode } from "./error-codes.js";
import type { RenderLimits } from "./limits.js";
import { findExcessiveNesting } from "./nesting-depth.js";
import { positionAt, renderErrorAt } from "./render-error.js";
import { parseStrictJson } from "./strict-json.js";
import { assertAliasesResolvable } from "./yaml-aliases.js";

/** One non-empty document of a manifest file, as plain JSON values. */
export interface ParsedDocument {
  value: unknown;
  /** 1-based line of the document's content. */
  line: number;
  /** Lines of the entries of a top-level `items` sequence (for `kind: List`), when known. */
  itemLines: number[] | undefined;
}

const YAML_CODES: Partial<Record<YAMLError["code"], RenderErrorCode>> = {
  DUPLICATE_KEY: "DuplicateKey",
  RESOURCE_EXHAUSTION: "TooDeep",
};

/**
 * Parses a manifest file into its non-empty documents: YAML 1.2 (multi-document)
 * for `*.yaml`/`*.yml`, strict JSON for `*.json`. Duplicate keys, alias bombs
 * and over-deep nesting are refused with the file, line and column.
 */
export function parseManifestDocuments(opts: { file: string; text: string; limits: RenderLimits }): ParsedDocument[] {
  const { file, text } = opts;
  if (text.trim() === "") return [];
  const json = file.endsWith(".json") ? parseStrictJson(file, text) : undefined;
  const tooDeepAt = findExcessiveNesting(text, opts.limits.maxDepth);
  if (tooDeepAt !== undefined) {
    throw renderErrorAt(
      { file, ...positionAt(text, tooDeepAt) },
      { code: "TooDeep", message: `document nests deeper than ${opts.limits.maxDepth} levels` },
    );
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    version: "1.2",
    uniqueKeys: true,
    merge: true,
    resolveKnownTags: false,
    prettyErrors: false,
  });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  const out: ParsedDocument[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    // JSON is YAML, but a few valid JSON files trip YAML-only rules (long keys):
    // JSON.parse already vouched for them, so only duplicate keys count.
    if (error && json !== undefined && error.code !== "DUPLICATE_KEY") return [jsonDocument(json, opts)];
    if (error) throw yamlError({ file, text, error, lineCounter });
    if (doc.contents === null) continue;
    const line = lineOf(doc.contents.range[0]);
    const value = toPlainValue({ doc, file, line, limits: opts.limits, lineCounter });
    if (value === null || value === undefined) continue;
    out.push({ value, line, itemLines: itemLinesOf(doc, lineOf) });
  }
  return out;
}

function jsonDocument(json: { value: unknown }, opts: { file: string; limits: RenderLimits }): ParsedDocument {
  assertDepth({ value: json.value, where: { file: opts.file, line: 1 }, maxDepth: opts.limits.maxDepth });
  return { value: json.value, line: 1, itemLines: undefined };
}

function yamlError(opts: { file: string; text: string; error: YAMLError; lineCounter: LineCounter }): Error {
  const { error, text } = opts;
  const pos = opts.lineCounter.linePos(error.pos[0]);
  const code = YAML_CODES[error.code] ?? "InvalidYAML";
  if (code === "DuplicateKey") {
    const key = duplicateKeyAt(text, error.pos[0]);
    return renderErrorAt(
      { file: opts.file, line: pos.line, column: pos.col, key },
      { code, message: `duplicate key ${JSON.stringify(key)}`, cause: error },
    );
  }
  const message = code === "TooDeep" ? `nesting too deep for the parser (${error.message})` : error.message;
  return renderErrorAt({ file: opts.file, line: pos.line, column: pos.col }, { code, message, cause: error });
}

/** The key text at a duplicate-key error position, quotes removed. */
function duplicateKeyAt(text: string, offset: number): string {
  const end = text.indexOf("\n", offset);
  const rest = text.slice(offset, end < 0 ? undefined : end);
  const quoted = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')/.exec(rest)?.[1];
  if (quoted) return quoted.startsWith('"') ? String(JSON.parse(quoted)) : quoted.slice(1, -1).replaceAll("''", "'");
  return /^([^:#,}\]]*?)\s*:/.exec(rest)?.[1] ?? rest.trim();
}

function toPlainValue(opts: {
  doc: Document.Parsed;
  file: string;
  line: number;
  limits: RenderLimits;
  lineCounter: LineCounter;
}): unknown {
  const where = { file: opts.file, line: opts.line };
  let value: unknown;
  try {
    assertAliasesResolvable(opts);
    value = opts.doc.toJS({ maxAliasCount: opts.limits.maxAliasCount });
  } catch (err) {
    if (err instanceof RenderError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/excessive alias/i.test(message)) {
      throw renderErrorAt(where, {
        code: "AliasLimit",
        message: `too many YAML alias expansions (limit ${opts.limits.maxAliasCount}); this looks like an alias bomb`,
        cause: err,
      });
    }
    if (err instanceof RangeError) {
      throw renderErrorAt(where, { code: "TooDeep", message: "nesting too deep", cause: err });
    }
    throw renderErrorAt(where, { code: "InvalidYAML", message, cause: err });
  }
  assertDepth({ value, where, maxDepth: opts.limits.maxDepth });
  return value;
}

/** Iterative, so it also stops on self-referencing aliases (`&a [*a]`). */
function assertDepth(opts: { value: unknown; where: { file: string; line: number }; maxDepth: number }): void {
  const stack: Array<[unknown, number]> = [[opts.value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth >= opts.maxDepth) {
      throw renderErrorAt(opts.where, {
        code: "TooDeep",
        message: `document nests deeper than ${opts.maxDepth} levels (or an alias refers to itself)`,
      });
    }
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
}

function itemLinesOf(doc: Document.Parsed, lineOf: (offset: number) => number): number[] | undefined {
  if (!isMap(doc.contents)) return undefined;
  const items = doc.contents.get("items", true);
  if (!isSeq(items)) return undefined;
  return items.items.map((item) => {
    const range = (item as { range?: [number, number, number] | null }).range;
    return range ? lineOf(range[0]) : lineOf(doc.contents!.range[0]);
  });
}
