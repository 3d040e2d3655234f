import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RenderError } from "../../src/errors.js";
import { renderDirectory, RENDER_ERROR_CODES, type RenderLimits } from "../../src/render/index.js";

const corpusDir = fileURLToPath(new URL("../fixtures/bad-input/", import.meta.url));

interface BadInputCase {
  expectCode: string;
  expectFile?: string;
  expectLine?: number;
  expectColumn?: number;
  expectMessage?: string;
  path?: string;
  limits?: Partial<RenderLimits>;
}

const corpus = readdirSync(corpusDir)
  .sort()
  .map((name) => ({ name, ...(JSON.parse(readFileSync(path.join(corpusDir, name, "case.json"), "utf8")) as BadInputCase) }));

async function renderError(opts: { root: string; path?: string; limits?: Partial<RenderLimits> }): Promise<RenderError> {
  const err: unknown = await renderDirectory(opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RenderError)) throw new Error(`expected a RenderError, got ${String(err)}`, { cause: err });
  return err;
}

function expectMatches(err: RenderError, want: BadInputCase): void {
  expect({ code: err.code, message: err.message }).toMatchObject({ code: want.expectCode });
  expect(Object.keys(RENDER_ERROR_CODES)).toContain(err.code);
  if (want.expectFile !== undefined) expect(err.data.file).toBe(want.expectFile);
  if (want.expectLine !== undefined) expect(err.data.line).toBe(want.expectLine);
  if (want.expectColumn !== undefined) expect(err.data.column).toBe(want.expectColumn);
  if (want.expectMessage !== undefined) expect(err.message).toContain(want.expectMessage);
  if (want.expectFile !== undefined) expect(err.message.startsWith(`${want.expectFile}`)).toBe(true);
  if (want.expectLine !== undefined) expect(err.message).toContain(`${want.expectFile}:${want.expectLine}`);
}

describe("renderDirectory on bad input", () => {
  it("has a corpus of at least 25 committed cases", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
  });

  it.each(corpus)("refuses $name with $expectCode", async (c) => {
    const err = await renderError({ root: path.join(corpusDir, c.name, "repo"), path: c.path, limits: c.limits });
    expectMatches(err, c);
  });
});

/** Cases that need symlinks, FIFOs or huge files, built at run time rather than committed. */
describe("renderDirectory on generated bad input", () => {
  let work: string;
  let root: string;
  let outside: string;
  const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "plumb-bad-input-"));
    outside = path.join(work, "outside");
    await mkdir(path.join(outside, "dir"), { recursive: true });
    await writeFile(path.join(outside, "secret.yaml"), configMap);
    await writeFile(path.join(outside, "dir", "cm.yaml"), configMap);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function freshRoot(name: string): Promise<string> {
    root = path.join(work, name);
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, "ok.yaml"), configMap.replace("name: x", "name: ok"));
    return root;
  }

  const generated: Array<{ name: string; build: (root: string) => Promise<void>; path?: string; want: BadInputCase }> = [
    {
      name: "a 50 MB file",
      build: async (r) => {
        await writeFile(path.join(r, "huge.yaml"), "");
        await truncate(path.join(r, "huge.yaml"), 50 * 1024 * 1024);
      },
      want: { expectCode: "FileTooLarge", expectFile: "huge.yaml", expectMessage: "4194304-byte limit" },
    },
    {
      name: "megabytes of nested brackets",
      build: (r) => writeFile(path.join(r, "deep.yaml"), `a: ${"[".repeat(1_500_000)}${"]".repeat(1_500_000)}\n`),
      want: { expectCode: "TooDeep", expectFile: "deep.yaml", expectLine: 1 },
    },
    {
      name: "megabytes of nested compact sequences",
      build: (r) => writeFile(path.join(r, "deep.yaml"), `a:\n${"- ".repeat(1_500_000)}x\n`),
      want: { expectCode: "TooDeep", expectFile: "deep.yaml", expectLine: 2 },
    },
    {
      name: "a symlinked file outside the root",
      build: (r) => symlink(path.join(outside, "secret.yaml"), path.join(r, "secret.yaml")),
      want: { expectCode: "SymlinkEscape", expectFile: "secret.yaml" },
    },
    {
      name: "a relative symlink climbing out of the root",
      build: (r) => symlink("../outside/secret.yaml", path.join(r, "climb.yaml")),
      want: { expectCode: "SymlinkEscape", expectFile: "climb.yaml" },
    },
    {
      name: "a symlinked directory outside the root",
      build: (r) => symlink(path.join(outside, "dir"), path.join(r, "vendor")),
      want: { expectCode: "SymlinkEscape", expectFile: "vendor" },
    },
    {
      name: "an Application path that is a symlink out of the root",
      build: (r) => symlink(path.join(outside, "dir"), path.join(r, "apps")),
      path: "apps",
      want: { expectCode: "SymlinkEscape", expectFile: "apps" },
    },
    {
      name: "a symlink loop between two files",
      build: async (r) => {
        await symlink("b.yaml", path.join(r, "a.yaml"));
        await symlink("a.yaml", path.join(r, "b.yaml"));
      },
      want: { expectCode: "SymlinkLoop", expectFile: "a.yaml" },
    },
    {
      name: "a directory symlink back to its parent",
      build: async (r) => {
        await mkdir(path.join(r, "apps"));
        await symlink("..", path.join(r, "apps", "again"));
      },
      want: { expectCode: "SymlinkLoop", expectFile: "apps/again" },
    },
    {
      name: "a broken symlink named like a manifest",
      build: (r) => symlink("gone.yaml", path.join(r, "dangling.yaml")),
      want: { expectCode: "PathNotFound", expectFile: "dangling.yaml" },
    },
    {
      name: "a FIFO named like a manifest",
      build: async (r) => {
        execFileSync("mkfifo", [path.join(r, "pipe.yaml")]);
      },
      want: { expectCode: "UnsupportedFile", expectFile: "pipe.yaml" },
    },
    { name: "a path escaping with ../", build: async () => {}, path: "../outside", want: { expectCode: "PathEscape" } },
    { name: "an absolute path", build: async () => {}, path: "/etc", want: { expectCode: "PathEscape" } },
  ];

  it.each(generated.map((g, i) => ({ ...g, dir: `case-${i}` })))("refuses $name", async (g) => {
    const r = await freshRoot(g.dir);
    await g.build(r);
    expectMatches(await renderError({ root: r, path: g.path }), g.want);
  });

  it("reads nothing from a refused symlink target", async () => {
    const r = await freshRoot("no-leak");
    await symlink(path.join(outside, "secret.yaml"), path.join(r, "secret.yaml"));
    const err = await renderError({ root: r });
    expect(err.message).not.toContain(outside);
    expect(await readdir(r)).toContain("secret.yaml");
    expect(await readFile(path.join(outside, "secret.yaml"), "utf8")).toBe(configMap);
  });

  it("refuses a root that does not exist", async () => {
    expectMatches(await renderError({ root: path.join(work, "nope") }), { expectCode: "PathNotFound" });
  });
});
