import { describe, expect, it } from "vitest";
import { RenderError } from "../../src/errors.js";
import { runTool, ToolExitError } from "../../src/render/run-tool.js";
import type { RenderTools } from "../../src/render/tools.js";
import { scratchDir } from "../support/scratch.js";

// runTool with ordinary programs standing in for kustomize and helm.

const tools = (over: Partial<RenderTools> = {}): RenderTools => ({ kustomizeBin: undefined, helmBin: undefined, workDir: scratchDir("plumb-run-tool-"), searchPath: "/usr/bin:/bin", timeoutMs: 10_000, maxOutputBytes: 1 << 20, concurrency: 2, ...over });

describe("runTool", () => {
  it("gives the tool only PATH and HOME/Helm directories under the work dir, never the operator's environment", async () => {
    process.env.KUBECONFIG = "/secret/kubeconfig";
    process.env.PLUMB_WEBHOOK_SECRET = "hunter2";
    try {
      const t = tools();
      const out = await runTool(t, { bin: "/usr/bin/env", args: [], cwd: t.workDir, label: "env" });
      const vars = Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
      expect(Object.keys(vars).sort()).toEqual(["GIT_CONFIG_NOSYSTEM", "GIT_TERMINAL_PROMPT", "HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME", "HOME", "KUSTOMIZE_PLUGIN_HOME", "PATH"]);
      for (const [k, v] of Object.entries(vars)) if (k !== "PATH" && k.startsWith("H")) expect(v.startsWith(t.workDir), k).toBe(true);
      expect(out).not.toContain("hunter2");
    } finally {
      delete process.env.KUBECONFIG;
      delete process.env.PLUMB_WEBHOOK_SECRET;
    }
  });

  it("passes arguments as an array, never through a shell", async () => {
    const t = tools();
    const out = await runTool(t, { bin: "/bin/echo", args: ["$(id)", "; rm -rf /", "`x`"], cwd: t.workDir, label: "echo" });
    expect(out).toBe("$(id) ; rm -rf / `x`\n");
  });

  it("kills a run that passes the time limit with RenderTimeout", async () => {
    const t = tools({ timeoutMs: 300 });
    const err = await runTool(t, { bin: "/bin/sleep", args: ["30"], cwd: t.workDir, label: "helm template hang" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenderError);
    expect(err).toMatchObject({ code: "RenderTimeout" });
  });

  it("kills a run that prints more than the output limit with RenderTooLarge", async () => {
    const t = tools({ maxOutputBytes: 64 * 1024 });
    const err = await runTool(t, { bin: "/usr/bin/yes", args: [], cwd: t.workDir, label: "kustomize build big" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "RenderTooLarge" });
  });

  it("hands a non-zero exit back with its stderr", async () => {
    const t = tools();
    const err = await runTool(t, { bin: "/bin/sh", args: ["-c", "echo 'Error: boom' >&2; exit 3"], cwd: t.workDir, label: "sh" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolExitError);
    expect(err).toMatchObject({ exitCode: 3, stderr: "Error: boom\n" });
  });
});
