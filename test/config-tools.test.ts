import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadOperatorConfig, renderToolBins } from "../src/config.js";
import { ConfigError } from "../src/errors.js";
import { scratchDir } from "./support/scratch.js";

function fakeTool(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, "#!/bin/sh\n");
  chmodSync(file, 0o755);
  return file;
}

describe("render tool binaries", () => {
  it("takes the flag first, then PLUMB_*_BIN, then PATH", () => {
    const dir = scratchDir("plumb-tools-");
    const onPath = fakeTool(join(dir, "path"), "kustomize");
    const helmOnPath = fakeTool(join(dir, "path"), "helm");
    const flagged = fakeTool(join(dir, "flag"), "my-kustomize");
    const fromEnv = fakeTool(join(dir, "env"), "my-helm");
    const env = { PATH: `relative/bin:${join(dir, "path")}` };
    expect(renderToolBins({}, env)).toMatchObject({ kustomizeBin: onPath, helmBin: helmOnPath, searchPath: env.PATH });
    expect(renderToolBins({ kustomizeBin: flagged }, { ...env, PLUMB_HELM_BIN: fromEnv })).toMatchObject({ kustomizeBin: flagged, helmBin: fromEnv });
  });

  it("refuses a flag that names no executable file, in one line", () => {
    expect(() => renderToolBins({ helmBin: "/nonexistent/helm" }, { PATH: "" })).toThrow(ConfigError);
    expect(() => renderToolBins({ helmBin: "/nonexistent/helm" }, { PATH: "" })).toThrow(/--helm-bin \/nonexistent\/helm is not an executable file/);
  });

  it("reads the render bounds with their defaults", () => {
    const base = { listen: "127.0.0.1:0" };
    expect(loadOperatorConfig(base, { PATH: "" }).tools).toMatchObject({ timeoutMs: 60_000, maxOutputBytes: 32 * 1024 * 1024 });
    expect(loadOperatorConfig(base, { PATH: "", PLUMB_RENDER_TIMEOUT: "5", PLUMB_RENDER_MAX_BYTES: "2048" }).tools).toMatchObject({ timeoutMs: 5000, maxOutputBytes: 2048 });
    expect(() => loadOperatorConfig({ ...base, "render-timeout": "0" }, { PATH: "" })).toThrow(/--render-timeout must be an integer between 1 and 3600/);
  });
});
