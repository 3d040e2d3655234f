import path from "node:path";

/**
 * How Plumb runs the official `kustomize` and `helm` binaries: where they
 * are, where their HOME and caches live, and the bounds of one render.
 */
export interface RenderTools {
  /** Path of the kustomize binary; undefined when none was found. */
  kustomizeBin: string | undefined;
  /** Path of the helm binary; undefined when none was found. */
  helmBin: string | undefined;
  /** A writable directory for HOME, Helm's caches and scratch copies (the operator's cache dir). */
  workDir: string;
  /** PATH given to the tools (the only variable passed through from Plumb's environment). */
  searchPath: string;
  /** Longest one tool run may take. */
  timeoutMs: number;
  /** Largest output one render may produce, in bytes. */
  maxOutputBytes: number;
  /** Tool processes running at once across all renders. */
  concurrency: number;
}

/** Defaults: a minute and 32 MiB per render, two tools at a time. */
export const DEFAULT_TOOL_BOUNDS = Object.freeze({ timeoutMs: 60_000, maxOutputBytes: 32 * 1024 * 1024, concurrency: 2 });

/**
 * The whole environment a tool sees: PATH, and HOME and Helm's own
 * directories under the work dir. Never KUBECONFIG, tokens, Git credentials
 * or PLUMB_* settings: a chart or an overlay must not read the operator's.
 */
export function toolEnvironment(tools: Pick<RenderTools, "workDir" | "searchPath">): Record<string, string> {
  const home = path.join(tools.workDir, "render-home");
  return {
    PATH: tools.searchPath,
    HOME: home,
    HELM_CACHE_HOME: path.join(home, "helm-cache"),
    HELM_CONFIG_HOME: path.join(home, "helm-config"),
    HELM_DATA_HOME: path.join(home, "helm-data"),
    KUSTOMIZE_PLUGIN_HOME: path.join(home, "kustomize-plugins"),
    // no Git prompts and no user/system Git config if a tool ever runs git
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
  };
}

/** Tools that render plain directories only: a Kustomize or Helm source fails saying how to install them. */
export function withoutTools(workDir: string): RenderTools {
  return { kustomizeBin: undefined, helmBin: undefined, workDir, searchPath: "/usr/bin:/bin", ...DEFAULT_TOOL_BOUNDS };
}
