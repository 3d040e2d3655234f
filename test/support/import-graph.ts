/**
 * The import graph of src/, read with the TypeScript compiler's parser (not
 * regular expressions): every import, re-export, side-effect import, dynamic
 * `import()` and `require()`, each marked type-only or value.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** How a module is imported. */
export type ImportKind = "value" | "type" | "side-effect" | "dynamic";

/** One import of one file. */
export interface ImportEdge {
  /** File path relative to src/, e.g. "sync/reconcile.ts". */
  file: string;
  /** Its area: the first folder under src/, or the file's name without .ts for top-level files. */
  area: string;
  /** The module specifier as written. */
  spec: string;
  kind: ImportKind;
  /** Imported src/ file (relative to src/) for a relative import. */
  targetFile?: string;
  /** Area of the imported file, a package name, or `node:<builtin>`. */
  target: string;
  line: number;
}

/** Every .ts file below `dir`. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** The area of a path relative to src/. */
export function areaOf(rel: string): string {
  const [first = ""] = rel.split("/");
  return first.replace(/\.ts$/, "");
}

/** Every import edge of every file under `root`. */
export function importGraph(root: string): ImportEdge[] {
  return sourceFiles(root).flatMap((file) => importsOf(root, file));
}

/** The imports of one file. */
export function importsOf(root: string, file: string): ImportEdge[] {
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const rel = relative(root, file);
  const edges: ImportEdge[] = [];
  const add = (spec: string, kind: ImportKind, node: ts.Node) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    edges.push({ file: rel, area: areaOf(rel), spec, kind, line, ...targetOf(root, file, spec) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, importKind(node.importClause), node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, exportKind(node), node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node.moduleReference.expression.text, node.isTypeOnly ? "type" : "value", node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, "type", node);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))) {
      const arg = node.arguments[0];
      add(arg && ts.isStringLiteralLike(arg) ? arg.text : "<computed>", "dynamic", node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

function importKind(clause: ts.ImportClause | undefined): ImportKind {
  if (!clause) return "side-effect";
  if (clause.isTypeOnly) return "type";
  if (clause.name) return "value";
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)) return "type";
  return "value";
}

function exportKind(node: ts.ExportDeclaration): ImportKind {
  if (node.isTypeOnly) return "type";
  const clause = node.exportClause;
  if (clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)) return "type";
  return "value";
}

const BUILTINS = new Set(builtinModules);

function targetOf(root: string, file: string, spec: string): { target: string; targetFile?: string } {
  if (spec.startsWith(".")) {
    const targetFile = relative(root, resolve(dirname(file), spec)).replace(/\.js$/, ".ts");
    return { target: areaOf(targetFile), targetFile };
  }
  if (spec.startsWith("node:")) return { target: `node:${spec.slice(5).split("/")[0]}` };
  const bare = spec.split("/")[0]!;
  if (BUILTINS.has(bare)) return { target: `node:${bare}` }; // a built-in written without node:
  return { target: spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : bare };
}
