import type { ApplicationSource } from "../model/application.js";
import { renderLimits, type RenderLimits } from "./limits.js";
import { resolveRenderStart } from "./path-safety.js";
import { renderDirectory } from "./render-directory.js";
import { renderHelm, type ClusterCapabilities } from "./render-helm.js";
import { renderKustomize } from "./render-kustomize.js";
import type { RenderedObject } from "./rendered-object.js";
import { detectSourceKind, type SourceKind } from "./source-kind.js";
import type { RenderTools } from "./tools.js";
import { assertUniqueObjects } from "./unique-objects.js";

/** Options of renderSource. */
export interface RenderSourceOptions {
  /** The repository checkout; nothing outside it is read. Unused for a chart repository. */
  root?: string;
  /** For a chart repository source: the fetched, verified chart archive. */
  chartArchive?: string;
  source: Pick<ApplicationSource, "path" | "directory" | "kustomize" | "helm" | "chart">;
  /** Helm's release name (default in the caller: the Application's name). */
  releaseName: string;
  /** Destination namespace (Helm's --namespace). */
  namespace?: string | undefined;
  /** The target cluster's version and APIs, asked only when a chart is rendered. */
  capabilities?: (() => Promise<ClusterCapabilities | undefined>) | undefined;
  tools: RenderTools;
  limits?: Partial<RenderLimits>;
  /** `plumb render --values` / `--set` (Helm only). */
  extraValueFiles?: string[];
  set?: string[];
}

/** A render and what it read. */
export interface SourceRender {
  kind: SourceKind;
  objects: RenderedObject[];
  /** Root-relative paths whose Git content decides the result (empty for a chart repository). */
  inputs: string[];
}

/**
 * Renders an Application source of any kind: a chart from a chart
 * repository, a Kustomize overlay, a Helm chart in Git, or a plain
 * directory (detected as documented in the README). Every object is
 * validated and unique; errors are RenderErrors with stable codes.
 */
export async function renderSource(opts: RenderSourceOptions): Promise<SourceRender> {
  const limits = renderLimits(opts.limits);
  const { source } = opts;
  const path = source.path ?? ".";
  const helmCommon = async () => ({
    options: source.helm,
    releaseName: source.helm?.releaseName || opts.releaseName,
    namespace: opts.namespace,
    capabilities: await opts.capabilities?.(),
    tools: opts.tools,
    limits,
    ...(opts.extraValueFiles ? { extraValueFiles: opts.extraValueFiles } : {}),
    ...(opts.set ? { set: opts.set } : {}),
  });
  if (source.chart) {
    if (!opts.chartArchive) throw new Error("renderSource: a chart repository source needs chartArchive");
    const r = await renderHelm({ ...(await helmCommon()), chart: { archive: opts.chartArchive } });
    assertUniqueObjects(r.objects);
    return { kind: "chart", ...r };
  }
  const root = opts.root ?? ".";
  const { startReal } = await resolveRenderStart({ root, path });
  const kind = await detectSourceKind(source, startReal);
  if (kind === "kustomize") {
    const r = await renderKustomize({ root, path, options: source.kustomize, tools: opts.tools, limits });
    assertUniqueObjects(r.objects);
    return { kind, ...r };
  }
  if (kind === "helm") {
    const r = await renderHelm({ ...(await helmCommon()), chart: { root, path } });
    assertUniqueObjects(r.objects);
    return { kind, ...r };
  }
  const objects = await renderDirectory({ root, path, recurse: source.directory?.recurse ?? true, limits });
  return { kind, objects, inputs: [path] };
}
