import { cp } from "node:fs/promises";
import path from "node:path";
import { RenderError } from "../errors.js";
import type { KustomizeOptions } from "../model/application.js";
import { kustomizeInputs } from "./kustomize-inputs.js";
import type { RenderLimits } from "./limits.js";
import { resolveRenderStart } from "./path-safety.js";
import type { RenderedObject } from "./rendered-object.js";
import { runTool, ToolExitError } from "./run-tool.js";
import { withScratchDir } from "./scratch.js";
import { kustomizationFileIn } from "./source-kind.js";
import { objectsFromToolOutput } from "./tool-output.js";
import type { RenderTools } from "./tools.js";

/** What a tool render produced and which repository paths it read (for memoizing). */
export interface ToolRender {
  objects: RenderedObject[];
  /** Root-relative posix directories (and files) the render read. */
  inputs: string[];
}

/** Whether spec.source.kustomize asks for any edit. */
function hasEdits(o: KustomizeOptions | undefined): o is KustomizeOptions {
  return !!o && (!!o.namePrefix || !!o.nameSuffix || !!o.images?.length || Object.keys(o.commonLabels ?? {}).length > 0);
}

/**
 * Renders a Kustomize overlay with `kustomize build` and the root-only load
 * restrictor, after Plumb's own checks (no remote bases, nothing outside
 * the repository, no symlinks out of it). spec.source.kustomize edits are
 * made with `kustomize edit` on a scratch copy of the kustomization
 * directories, never in the checkout.
 */
export async function renderKustomize(opts: { root: string; path: string; options?: KustomizeOptions | undefined; tools: RenderTools; limits: RenderLimits }): Promise<ToolRender> {
  const { tools } = opts;
  const { rootReal, startReal, startRel } = await resolveRenderStart(opts);
  const shown = startRel || ".";
  if (!(await kustomizationFileIn(startReal))) {
    throw new RenderError(`${shown}: no kustomization.yaml, kustomization.yml or Kustomization; add one or remove spec.source.kustomize`, { code: "KustomizeFailed", data: { file: shown } });
  }
  const inputs = await kustomizeInputs({ rootReal, startRel });
  const bin = tools.kustomizeBin;
  if (!bin) throw new RenderError("kustomize is not installed: run `make tools`, put kustomize on PATH, or set --kustomize-bin", { code: "KustomizeFailed" });
  const label = `kustomize build ${shown}`;
  const kustomize = async (args: string[], cwd: string) => {
    try {
      return await runTool(tools, { bin, args, cwd, label });
    } catch (err) {
      if (!(err instanceof ToolExitError)) throw err;
      throw new RenderError(`${shown}: ${args[0] === "edit" ? `kustomize ${args.slice(0, 3).join(" ")}` : "kustomize build"} failed: ${cleanKustomizeError(err.stderr, rootReal)}`, {
        code: "KustomizeFailed",
        data: { file: shown },
        cause: err,
      });
    }
  };
  const build = (dir: string, cwd: string) => kustomize(["build", dir, "--load-restrictor", "LoadRestrictionsRootOnly"], cwd);
  let text: string;
  if (!hasEdits(opts.options)) {
    text = await build(startReal, rootReal);
  } else {
    const edits = opts.options;
    text = await withScratchDir(tools.workDir, async (scratch) => {
      for (const dir of inputs) await cp(path.join(rootReal, dir), path.join(scratch, dir), { recursive: true, dereference: true, force: true });
      const overlay = path.join(scratch, startRel);
      if (edits.namePrefix) await kustomize(["edit", "set", "nameprefix", "--", edits.namePrefix], overlay);
      if (edits.nameSuffix) await kustomize(["edit", "set", "namesuffix", "--", edits.nameSuffix], overlay);
      if (edits.images?.length) await kustomize(["edit", "set", "image", ...edits.images], overlay);
      const labels = Object.entries(edits.commonLabels ?? {});
      if (labels.length) await kustomize(["edit", "add", "label", "--force", labels.map(([k, v]) => `${k}:${v}`).join(",")], overlay);
      return build(overlay, scratch);
    });
  }
  return { objects: objectsFromToolOutput({ text, file: `${shown} (kustomize build)`, limits: opts.limits }), inputs };
}

/** Kustomize's last error line, with the checkout's absolute path made relative. */
function cleanKustomizeError(stderr: string, rootReal: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l && !/^(Usage|Flags|Global Flags):/.test(l));
  const error = lines.find((l) => l.startsWith("Error:")) ?? lines.at(-1) ?? "no output";
  return error.replace(/^Error:\s*/, "").replaceAll(`${rootReal}/`, "").replaceAll(rootReal, ".").slice(0, 2000);
}
