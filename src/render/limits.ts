/**
 * Bounds that keep a hostile or broken repository from exhausting the
 * operator: every render runs with these, merged with caller overrides once.
 */
export interface RenderLimits {
  /** Largest single manifest file, in bytes. */
  maxFileBytes: number;
  /** Largest sum of manifest file sizes in one render, in bytes. */
  maxTotalBytes: number;
  /** Most manifest files in one render. */
  maxFiles: number;
  /** Deepest nesting of maps and sequences inside one document. */
  maxDepth: number;
  /** Alias budget passed to `yaml` (anchors × uses); stops "billion laughs". */
  maxAliasCount: number;
}

/** Defaults generous for real manifests (a large CRD is ~1 MiB) and small for attacks. */
export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = Object.freeze({
  maxFileBytes: 4 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxFiles: 10_000,
  maxDepth: 100,
  maxAliasCount: 100,
});

/** Merges caller overrides with the defaults. */
export function renderLimits(overrides: Partial<RenderLimits> = {}): RenderLimits {
  return { ...DEFAULT_RENDER_LIMITS, ...overrides };
}
