import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runRender } from "../../src/cli/render.js";
import { scratchDir } from "../support/scratch.js";

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const read = (s: PassThrough) => () => (s.read() as Buffer | null)?.toString("utf8") ?? "";
  return { io: { stdin: new PassThrough(), stdout, stderr }, out: read(stdout), err: read(stderr) };
}

describe("plumb render", () => {
  it("prints every object of a directory as YAML documents with their source", async () => {
    const dir = scratchDir("plumb-render-");
    writeFileSync(join(dir, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
    writeFileSync(join(dir, "notes.txt"), "ignored");
    const t = io();
    expect(await runRender([dir], t.io)).toBe(0);
    const text = t.out();
    const docs = parseAllDocuments(text).map((d) => d.toJS() as { metadata: { name: string } });
    expect(docs.map((d) => d.metadata.name)).toEqual(["a", "b"]);
    expect(text).toContain("# Source: a.yaml:1");
  });

  it("exits non-zero with one line naming file and line on bad YAML", async () => {
    const dir = scratchDir("plumb-render-");
    writeFileSync(join(dir, "bad.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n");
    const t = io();
    expect(await runRender([dir], t.io)).toBe(1);
    const err = t.err();
    expect(err).toMatch(/^plumb render: InvalidYAML: .*bad\.yaml:\d+/);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(t.out()).toBe("");
  });
});
