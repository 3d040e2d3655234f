import { access, writeFile } from "node:fs/promises";
import path from "node:path";
import { RenderError } from "../errors.js";
import type { HelmOptions } from "../model/application.js";
import { placeHelmHooks } from "./helm-hooks.js";
import { assertLinksInsideRoot } from "./kustomize-inputs.js";
import type { RenderLimits } from "./limits.js";
import { normalizeSourcePath, realpathInsideRoot, resolveRenderStart } from "./path-safety.js";
import type { ToolRender } from "./render-kustomize.js";
import { runTool, ToolExitError } from "./run-tool.js";
import { withScratchDir } from "./scratch.js";
import { objectsFromToolOutput } from "./tool-output.js";
import type { RenderTools } from "./tools.js";

/** What the target cluster serves, so `.Capabilities` in templates is real. */
export interface ClusterCapabilities {
  /** e.g. v1.37.2 */
  kubeVersion: string;
  /** `group/version` and `group/version/Kind` of every served resource. */
  apiVersions: string[];
}

/** A chart to template: a directory in the repository, or a chart archive fetched from a chart repository. */
export type ChartLocation = { root: string; path: string } | { archive: string };

/** Options of renderHelm. */
export interface RenderHelmOptions {
  chart: ChartLocation;
  options?: HelmOptions | undefined;
  releaseName: string;
  namespace?: string | undefined;
  capabilities?: ClusterCapabilities | undefined;
  /** `plumb render --values FILE`: files given on the command line (outside any repository checks). */
  extraValueFiles?: string[];
  /** `plumb render --set K=V`. */
  set?: string[];
  tools: RenderTools;
  limits: RenderLimits;
}

/**
 * Renders a Helm chart with `helm template` (CRDs included, the cluster's
 * version and APIs as capabilities), then drops test hooks and places
 * pre-/post- hooks in waves around the chart. For a chart in Git, value
 * files must stay inside the repository and no symlink may lead out of it;
 * `values` go through a scratch file, never into the checkout.
 */
export async function renderHelm(opts: RenderHelmOptions): Promise<ToolRender> {
  const { tools } = opts;
  const bin = tools.helmBin;
  const located = await locateChart(opts);
  if (!bin) throw new RenderError("helm is not installed: run `make tools`, put helm on PATH, or set --helm-bin", { code: "HelmTemplateFailed" });
  const text = await withScratchDir(tools.workDir, async (scratch) => {
    const args = ["template", opts.releaseName, located.chart, "--include-crds"];
    if (opts.namespace) args.push("--namespace", opts.namespace);
    if (opts.capabilities) {
      args.push("--kube-version", opts.capabilities.kubeVersion);
      for (const v of opts.capabilities.apiVersions) args.push("--api-versions", v);
    }
    for (const f of [...located.valueFiles, ...(opts.extraValueFiles ?? [])]) args.push("--values", f);
    if (opts.options?.values && Object.keys(opts.options.values).length) {
      const file = path.join(scratch, "values.json");
      await writeFile(file, JSON.stringify(opts.options.values));
      args.push("--values", file);
    }
    for (const s of opts.set ?? []) args.push("--set", s);
    try {
      return await runTool(tools, { bin, args, cwd: scratch, label: `helm template ${located.shown}` });
    } catch (err) {
      if (!(err instanceof ToolExitError)) throw err;
      throw helmFailure(err.stderr, { shown: located.shown, hide: [located.rootReal, scratch] });
    }
  });
  const objects = placeHelmHooks(objectsFromToolOutput({ text, file: `${located.shown} (helm template)`, limits: opts.limits }));
  return { objects, inputs: located.inputs };
}

async function locateChart(opts: RenderHelmOptions): Promise<{ chart: string; shown: string; valueFiles: string[]; inputs: string[]; rootReal: string | undefined }> {
  const { chart } = opts;
  if ("archive" in chart) {
    if (opts.options?.valueFiles?.length) {
      throw new RenderError("spec.source.helm.valueFiles needs a chart in Git; give values for a chart from a chart repository in spec.source.helm.values", { code: "HelmTemplateFailed", data: { field: "spec.source.helm.valueFiles" } });
    }
    return { chart: chart.archive, shown: path.basename(chart.archive), valueFiles: [], inputs: [], rootReal: undefined };
  }
  const { rootReal, startReal, startRel } = await resolveRenderStart(chart);
  const shown = startRel || ".";
  try {
    await access(path.join(startReal, "Chart.yaml"));
  } catch {
    throw new RenderError(`${shown}: no Chart.yaml; a Helm source is a chart directory`, { code: "HelmTemplateFailed", data: { file: shown } });
  }
  await assertLinksInsideRoot({ rootReal, dirRel: startRel });
  const valueFiles: string[] = [];
  const inputs = [shown];
  for (const vf of opts.options?.valueFiles ?? []) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(vf)) {
      throw new RenderError(`values file "${vf}" is a URL; value files must be in the repository`, { code: "PathEscape", data: { field: "spec.source.helm.valueFiles", file: vf } });
    }
    const rel = normalizeSourcePath(path.posix.join(shown, vf.replaceAll("\\", "/")));
    let real: string;
    try {
      real = await realpathInsideRoot({ rootReal, target: path.join(rootReal, rel), shown: rel });
    } catch (err) {
      if ((err as { code?: string }).code !== "PathNotFound") throw err;
      throw new RenderError(`${rel}: values file not found (spec.source.helm.valueFiles "${vf}" is relative to the chart ${shown})`, { code: "HelmTemplateFailed", data: { file: rel }, cause: err });
    }
    valueFiles.push(real);
    if (!rel.startsWith(`${shown}/`) && shown !== ".") inputs.push(rel);
  }
  return { chart: startReal, shown, valueFiles, inputs, rootReal };
}

/**
 * Turns Helm's error into HelmTemplateFailed naming the template file and
 * line where Helm gives one (`web/templates/x.yaml:12:3 executing ...` in Helm 4,
 * `template: web/templates/x.yaml:12:3: ...`,
 * `parse error at (web/templates/x.yaml:3)`, `YAML parse error on
 * web/templates/x.yaml ... line 5`).
 */
export function helmFailure(stderr: string, at: { shown: string; hide: Array<string | undefined> }): RenderError {
  // Helm 4 spreads one error over indented lines: "Error: file:4:18\n  executing ...\n    nil pointer ..."
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("Use --debug"));
  const start = lines.findIndex((l) => l.startsWith("Error:"));
  let message = (start >= 0 ? lines.slice(start).join(" ") : (lines.at(-1) ?? "no output")).replace(/^Error:\s*/, "");
  for (const h of at.hide) if (h) message = message.replaceAll(`${h}/`, "").replaceAll(h, ".");
  const where =
    /^([^\s:]+\.(?:ya?ml|tpl|txt|json)):(\d+)/.exec(message) ??
    /template: ([^\s:]+\.(?:ya?ml|tpl|txt|json)):(\d+)/.exec(message) ??
    /\(([^\s():]+\.(?:ya?ml|tpl|txt|json)):(\d+)\)/.exec(message) ??
    /YAML parse error on ([^\s:]+):.*?line (\d+)/.exec(message);
  const file = where?.[1];
  const line = where?.[2] ? Number(where[2]) : undefined;
  const prefix = file ? `${file}${line ? `:${line}` : ""}: ` : `${at.shown}: `;
  const hint = /missing in charts\/ directory/.test(message) ? "; vendor the dependencies into charts/ (helm dependency build) and commit them" : "";
  return new RenderError(`${prefix}helm template failed: ${message.slice(0, 2000)}${hint}`, {
    code: "HelmTemplateFailed",
    data: { file: file ?? at.shown, ...(line ? { line } : {}) },
  });
}
