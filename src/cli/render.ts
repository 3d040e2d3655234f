import { access, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { renderToolBins } from "../config.js";
import { PlumbError } from "../errors.js";
import { DEFAULT_TOOL_BOUNDS, detectSourceKind, renderSource, type RenderTools } from "../render/index.js";

/** Streams a CLI command writes to. */
export interface CliIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage: plumb render DIR [--values FILE]... [--set KEY=VALUE]... [flags]

Renders DIR as the operator would: a Kustomize overlay (a kustomization
file in DIR) with kustomize, a Helm chart (Chart.yaml) with helm template,
else every *.yaml, *.yml and *.json file.
  --values, -f FILE       Helm values file (repeatable; merged in order)
  --set KEY=VALUE         Helm value (repeatable; merged last)
  --release-name NAME     Helm release name (default: release-name)
  --namespace, -n NS      Helm release namespace
  --root DIR              what the render may read (default: DIR; for a Kustomize
                          overlay the Git work tree holding it, so its bases resolve)
  --no-recurse            plain directories: do not descend into subdirectories
  --kustomize-bin PATH    kustomize binary (default: PLUMB_KUSTOMIZE_BIN, PATH, make tools)
  --helm-bin PATH         helm binary (default: PLUMB_HELM_BIN, PATH, make tools)
`;

/**
 * `plumb render DIR`: prints the rendered manifests of DIR as YAML
 * documents, or one error line naming the code, file and line (exit 1).
 */
export async function runRender(args: string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    io.stderr.write(`plumb render: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const dir = positionals[0];
  if (!dir || positionals.length > 1) {
    io.stderr.write(USAGE);
    return 2;
  }
  let workDir: string | undefined;
  try {
    workDir = await mkdtemp(join(tmpdir(), "plumb-render-"));
    const tools: RenderTools = { ...renderToolBins({ kustomizeBin: values["kustomize-bin"], helmBin: values["helm-bin"] }), workDir, ...DEFAULT_TOOL_BOUNDS };
    const { root, path } = await renderRoot(dir, values.root);
    const rendered = await renderSource({
      root,
      source: { path, directory: { recurse: !values["no-recurse"] } },
      releaseName: values["release-name"] ?? "release-name",
      namespace: values.namespace,
      tools,
      ...(values.values?.length ? { extraValueFiles: values.values } : {}),
      ...(values.set?.length ? { set: values.set } : {}),
    });
    if (rendered.kind !== "helm" && (values.values?.length || values.set?.length)) {
      throw new PlumbError(`--values and --set apply to Helm charts; ${dir} is rendered as ${rendered.kind === "kustomize" ? "a Kustomize overlay" : "a plain directory"}`, { code: "InvalidArgs" });
    }
    io.stdout.write(rendered.objects.map((o) => `# Source: ${o.source.file}:${o.source.line}\n${stringify(o.object)}`).join("---\n"));
    return 0;
  } catch (err) {
    const code = err instanceof PlumbError ? err.code : "Error";
    io.stderr.write(`plumb render: ${code}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      values: { type: "string", short: "f", multiple: true },
      set: { type: "string", multiple: true },
      "release-name": { type: "string" },
      namespace: { type: "string", short: "n" },
      "no-recurse": { type: "boolean" },
      root: { type: "string" },
      "kustomize-bin": { type: "string" },
      "helm-bin": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/**
 * The root a render of DIR may read and DIR's path inside it: `--root`; else,
 * for a Kustomize overlay, the Git work tree holding DIR (its `../../base`
 * is in the same repository); else DIR itself (symlinks of a plain
 * directory or chart must resolve inside it).
 */
async function renderRoot(dir: string, given: string | undefined): Promise<{ root: string; path: string }> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch {
    return { root: dir, path: "." }; // renderSource reports the missing directory
  }
  let root = given ? await realpath(given) : undefined;
  if (!root && (await detectSourceKind({}, real)) !== "kustomize") root = real;
  for (let at = real; !root; at = dirname(at)) {
    if (await access(join(at, ".git")).then(() => true, () => false)) root = at;
    else if (dirname(at) === at) root = real;
  }
  return { root, path: relative(root, real) || "." };
}
