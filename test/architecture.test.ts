import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The import graph keeps the architecture true: dependencies point one way,
// pure cores import no I/O, and each library has one importer.

const SRC = resolve(import.meta.dirname, "../src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** [importing area, imported module] pairs; areas are the first folder under src (or the file name). */
const edges = files(SRC).flatMap((file) => {
  const area = relative(SRC, file).split("/")[0]!.replace(/\.ts$/, "");
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => {
    const spec = m[1]!;
    const target = spec.startsWith(".") ? relative(SRC, resolve(dirname(file), spec)).split("/")[0]!.replace(/\.js$/, "") : spec;
    return { file: relative(SRC, file), area, target, local: spec.startsWith(".") };
  });
});

const importsOf = (area: string) => edges.filter((e) => e.area === area);

describe("architecture", () => {
  it("finds the source files", () => expect(edges.length).toBeGreaterThan(100));

  it.each([
    ["model", []],
    ["health", ["model"]],
    ["diff", ["model"]],
    ["render", ["model", "errors"]],
    ["sync", ["model", "health", "diff", "render", "errors", "log"]],
    ["api", ["model", "sync", "errors", "log", "health"]],
    ["notify", ["model", "errors", "log"]],
  ])("%s imports only from %j inside src", (area, allowed) => {
    const bad = importsOf(area).filter((e) => e.local && e.target !== area && !(allowed as string[]).includes(e.target));
    expect(bad).toEqual([]);
  });

  it.each([
    ["isomorphic-git", "git"],
    ["@kubernetes/client-node", "kube"],
    ["express", "api"],
  ])("only %s's own layer imports %s", (lib, area) => {
    const importers = edges.filter((e) => e.target === lib || e.target.startsWith(`${lib}/`)).map((e) => e.area);
    expect(new Set(importers)).toEqual(new Set([area]));
  });

  it("keeps the pure cores free of I/O modules", () => {
    const io = ["node:fs", "node:fs/promises", "node:http", "node:https", "node:child_process", "node:net"];
    const bad = edges.filter((e) => ["health", "diff", "model"].includes(e.area) && io.includes(e.target));
    expect(bad).toEqual([]);
  });
});
