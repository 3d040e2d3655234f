/**
 * Files to objects: reads a directory of manifests safely (path and symlink
 * checks, size limits), parses YAML/JSON strictly and validates each object;
 * renders Kustomize overlays and Helm charts with the official binaries.
 */
export { renderDirectory, type RenderDirectoryOptions } from "./render-directory.js";
export { renderSource, type RenderSourceOptions, type SourceRender } from "./render-source.js";
export type { ClusterCapabilities } from "./render-helm.js";
export { detectSourceKind, type SourceKind } from "./source-kind.js";
export { DEFAULT_TOOL_BOUNDS, withoutTools, type RenderTools } from "./tools.js";
export { toolRuns } from "./run-tool.js";
export { assignNamespaces, type ScopeOf } from "./namespaces.js";
export type { RenderedObject } from "./rendered-object.js";
export { DEFAULT_RENDER_LIMITS, type RenderLimits } from "./limits.js";
export type { SourceLocation } from "./render-error.js";
export { RENDER_ERROR_CODES, type RenderErrorCode } from "./error-codes.js";
