import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, isErrorCode } from "../src/errors.js";

const README = readFileSync(resolve(import.meta.dirname, "../README.md"), "utf8");

/** The codes in the first column of the README's "Error codes" table, in order of appearance. */
function documentedCodes(): string[] {
  const section = README.slice(README.indexOf("## Error codes"), README.indexOf("\n## ", README.indexOf("## Error codes") + 1));
  const rows = section.split("\n").filter((l) => l.startsWith("| `"));
  return rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

describe("error codes", () => {
  const known = Object.values(ERROR_CODES).flat() as string[];

  it("lists each code in one family only", () => {
    expect(known.length).toBe(new Set(known).size);
  });

  it("documents every code in the README's table, once, and nothing else", () => {
    const documented = documentedCodes();
    expect(documented.filter((c, i) => documented.indexOf(c) !== i)).toEqual([]);
    expect([...documented].sort()).toEqual([...known, "HTTP<n>"].sort());
  });

  it.each([
    ["Forbidden", true],
    ["HTTP502", true],
    ["Internal", true],
    ["SomethingElse", false],
    [undefined, false],
  ])("knows whether %s is a code", (text, want) => {
    expect(isErrorCode(text)).toBe(want);
  });
});
