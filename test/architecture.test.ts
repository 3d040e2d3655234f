/**
 * The import graph keeps the architecture true: dependencies point one way,
 * pure cores import no I/O, each library has one importer, nothing loads
 * code behind the graph's back, and no folder's files import each other in
 * a circle. Imports are read with the TypeScript parser (test/support/import-graph.ts).
 *
 * Violations this test must catch (inject one into src/, run
 * `npx vitest run --project unit test/architecture.test.ts`, see red, revert):
 *  1. sync/plan.ts: `import { KubeCluster } from "../kube/cluster.js";` (a value import from kube into sync)
 *  2. git/url.ts: `import { RestClient } from "../kube/rest.js";` (git → kube)
 *  3. kube/rest.ts: `import { createApp } from "../api/app.js";` (kube → api)
 *  4. errors.ts: `import type { SyncContext } from "./sync/context.js";` (errors → sync, even type-only)
 *  5. metrics/metrics.ts: `import { KubeCluster } from "../kube/cluster.js";` (metrics → kube)
 *  6. sync/plan.ts: `import { readFileSync } from "node:fs";` (I/O in a pure core)
 *  7. sync/verdict.ts: `import { execFileSync } from "child_process";` (a built-in without node:)
 *  8. health/dispatch.ts: `const m = await import("../kube/rest.js");` (a dynamic import)
 *  9. sync/plan.ts: `import "../kube/cluster.js";` (a side-effect import)
 * 10. diff/compare.ts: `import { assessHealth } from "../health/index.js";` (diff → health)
 * 11. api/app.ts: `import { createGitSource } from "../git/index.js";` (api → git)
 * 12. sync/order.ts: `import { keyOf } from "./plan.js";` with plan.ts importing order.ts (a file cycle)
 * 13. render/index.ts: `export { stringify } from "yaml"; import pino from "pino";` (a library outside its layer)
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { areaOf, importGraph, sourceFiles, type ImportEdge } from "./support/import-graph.js";

const SRC = resolve(import.meta.dirname, "../src");

interface Rule {
  /** Areas whose values (and types) it may import. */
  value: string[];
  /** Areas it may import types from only (`import type`): ports and shapes, no code. */
  type?: string[];
  /** Node built-ins it may import (without the `node:` prefix). */
  node?: string[];
  /** npm packages it may import. */
  packages?: string[];
}

/**
 * Who may import what. `health/` and `diff/` import nothing but `model/`;
 * `sync/` reaches the cluster and Git only through its ports, which `kube/`
 * and `git/` implement and `operator.ts` joins; `api/` never sees kube or git.
 */
const RULES: Record<string, Rule> = {
  model: { value: [] },
  errors: { value: [] },
  log: { value: [], packages: ["pino"] },
  config: { value: ["errors"], node: ["fs", "net", "os", "path", "url"] },
  health: { value: ["model"] },
  diff: { value: ["model"], packages: ["fast-json-patch", "yaml"] },
  render: { value: ["model", "errors"], node: ["child_process", "fs", "path"], packages: ["yaml"] },
  sync: { value: ["model", "health", "diff", "render", "errors"], type: ["log"], node: ["crypto", "os", "zlib"] },
  git: { value: ["model", "errors", "log"], node: ["crypto", "fs", "os", "path", "url", "worker_threads"], packages: ["isomorphic-git"] },
  kube: { value: ["model", "errors", "notify"], type: ["config", "log", "render", "sync"], node: ["crypto", "fs", "http", "https", "path", "perf_hooks", "util"], packages: ["@kubernetes/client-node"] },
  metrics: { value: ["model"], type: ["sync"], packages: ["prom-client"] },
  api: { value: ["model", "sync", "errors", "health"], type: ["log"], node: ["crypto", "fs", "http", "path"], packages: ["express"] },
  notify: { value: ["model", "errors"], type: ["log"], node: ["crypto"] },
  charts: { value: ["model", "errors"], type: ["sync"], node: ["crypto", "fs", "path"], packages: ["semver", "yaml"] },
  operator: { value: ["charts", "git", "kube", "notify", "render", "sync", "model"], type: ["config", "log"], node: ["fs"] },
  cli: { value: ["api", "config", "errors", "health", "kube", "log", "metrics", "model", "operator", "render", "sync"], node: ["fs", "os", "path", "util"], packages: ["yaml"] },
};

/** Files that must stay pure: no built-in, no package, only values from model/, errors.ts and other pure files. */
const PURE = ["sync/plan.ts", "sync/verdict.ts", "sync/status.ts", "sync/order.ts", "sync/duration.ts", "sync/spec.ts"];

/** Dynamic imports that are allowed, by file: lazy subcommands and the checkout worker's loader. */
const DYNAMIC: Record<string, string[]> = {
  "cli/main.ts": ["./operator.js", "./diff.js", "./app.js"],
  "git/checkout-worker.ts": ["<computed>"],
};

/** Groups of files in one folder that may import each other in a circle, by types only. */
const TYPE_CYCLES = [
  ["sync/context.ts", "sync/desired.ts", "sync/source.ts"],
  ["sync/operation.ts", "sync/reconcile.ts", "sync/scheduler.ts", "sync/target.ts", "sync/verdict.ts"],
  ["api/ports.ts", "api/stream.ts"],
];

const edges = importGraph(SRC);
const show = (e: ImportEdge) => `${e.file}:${e.line} ${e.kind} ${e.spec}`;

describe("architecture", () => {
  it("finds the source files and their imports", () => {
    expect(edges.length).toBeGreaterThan(300);
  });

  it("has a rule for every folder and top-level file of src/, and none for what is gone", () => {
    const areas = new Set(sourceFiles(SRC).map((f) => areaOf(f.slice(SRC.length + 1))));
    expect([...areas].sort()).toEqual(Object.keys(RULES).sort());
  });

  it.each(Object.entries(RULES))("%s imports from src/ only what its rule allows", (area, rule) => {
    const bad = edges.filter((e) => e.area === area && e.targetFile && e.target !== area).filter((e) => !rule.value.includes(e.target) && !(e.kind === "type" && rule.type?.includes(e.target)));
    expect(bad.map(show)).toEqual([]);
  });

  it.each(Object.entries(RULES))("%s imports only the Node built-ins and packages its rule allows", (area, rule) => {
    const outside = edges.filter((e) => e.area === area && !e.targetFile && e.kind !== "dynamic");
    const bad = outside.filter((e) => (e.target.startsWith("node:") ? !rule.node?.includes(e.target.slice(5)) : !rule.packages?.includes(e.target)));
    expect(bad.map(show)).toEqual([]);
  });

  it("keeps the pure files free of I/O and of anything but model/, errors and other pure files", () => {
    const bad = edges.filter((e) => PURE.includes(e.file) && e.kind !== "type").filter((e) => !e.targetFile || (!["model", "errors"].includes(e.target) && !PURE.includes(e.targetFile)));
    expect(bad.map(show)).toEqual([]);
  });

  it("has no side-effect imports and no dynamic imports but the listed ones", () => {
    const bad = edges.filter((e) => e.kind === "side-effect" || (e.kind === "dynamic" && !DYNAMIC[e.file]?.includes(e.spec)));
    expect(bad.map(show)).toEqual([]);
  });

  it("has no import cycles between files of a folder (type-only ones only where listed)", () => {
    const valueCycles = cycles(edges.filter((e) => e.kind !== "type"));
    expect(valueCycles).toEqual([]);
    const unlisted = cycles(edges).filter((c) => !TYPE_CYCLES.some((allowed) => c.every((f) => allowed.includes(f))));
    expect(unlisted).toEqual([]);
  });
});

/** Strongly connected groups (more than one file) of the in-folder import graph (Tarjan). */
function cycles(from: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of from) if (e.targetFile && e.target === e.area) next.set(e.file, [...(next.get(e.file) ?? []), e.targetFile]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) found.push(group.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}
