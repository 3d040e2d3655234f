/**
 * Files to objects: reads a directory of manifests safely (path and symlink
 * checks, size limits), parses YAML/JSON strictly and validates each object.
 */
export { renderDirectory, type RenderDirectoryOptions } from "./render-directory.js";
export { assignNamespaces, type ScopeOf } from "./namespaces.js";
export type { RenderedObject } from "./rendered-object.js";
export { DEFAULT_RENDER_LIMITS, type RenderLimits } from "./limits.js";
export type { SourceLocation } from "./render-error.js";
export { RENDER_ERROR_CODES, type RenderErrorCode } from "./error-codes.js";
