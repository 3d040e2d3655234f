/**
 * `plumb diff DIR`: what a sync of DIR would change in the cluster, computed
 * the way the operator does (render, namespaces from discovery, server-side
 * dry-run apply as field manager `plumb`, normalize, compare), printed as
 * unified diffs or JSON patches with Secret values redacted.
 */
import { parseArgs } from "node:util";
import { PlumbError } from "../errors.js";
import { KubeCluster } from "../kube/cluster.js";
import { loadKubeConfig } from "../kube/config.js";
import { Discovery } from "../kube/discovery.js";
import { LiveCache } from "../kube/live-cache.js";
import { ObjectClient } from "../kube/objects.js";
import { RestClient } from "../kube/rest.js";
import { silentLogger } from "../log.js";
import { APP_LABEL, TRACKING_ANNOTATION } from "../model/labels.js";
import type { KubeObject } from "../model/object.js";
import { keyOf, keyString } from "../model/resource-key.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderToolBins } from "../config.js";
import { assignNamespaces, DEFAULT_TOOL_BOUNDS, renderSource } from "../render/index.js";
import { diffDesired, type ResourceDiff } from "../sync/diff-report.js";
import type { CliIO } from "./render.js";

const USAGE = `usage: plumb diff DIR [--kubeconfig F] [--namespace NS] [--output unified|json]

Shows what a sync of DIR would change: every object is dry-run applied
(server-side, field manager "plumb") and compared with the live object.
Secret values are redacted. Objects an Application already manages keep its
tracking label and annotation, as its sync would.
  --kubeconfig F     credentials (default: $KUBECONFIG, ~/.kube/config)
  --namespace NS     namespace for namespaced objects that name none
                     (default: the kubeconfig context's, else "default")
  --output, -o       unified (default) or json (JSON patches per object)
Exit status, as kubectl diff: 0 no differences, 1 differences, 2 error.
`;

/** Runs `plumb diff`; resolves to the exit code (0 same, 1 different, 2 error). */
export async function runDiff(args: string[], io: CliIO): Promise<number> {
  let opts: { dir: string; kubeconfig?: string; namespace?: string; output: "unified" | "json" };
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { kubeconfig: { type: "string" }, namespace: { type: "string", short: "n" }, output: { type: "string", short: "o", default: "unified" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new Error(positionals.length ? `expected one DIR, got ${positionals.length}` : "missing DIR");
    if (values.output !== "unified" && values.output !== "json") throw new Error(`--output must be unified or json, got "${values.output}"`);
    opts = { dir: positionals[0]!, output: values.output, ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.namespace ? { namespace: values.namespace } : {}) };
  } catch (err) {
    io.stderr.write(`plumb diff: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  let rest: RestClient | undefined;
  let workDir: string | undefined;
  try {
    const kc = loadKubeConfig(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {});
    rest = new RestClient(kc);
    const discovery = new Discovery(rest);
    const cluster = new KubeCluster({ objects: new ObjectClient({ rest, discovery }), discovery, cache: new LiveCache({ rest, logger: silentLogger() }) });
    const namespace = opts.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
    workDir = await mkdtemp(join(tmpdir(), "plumb-diff-"));
    const tools = { ...renderToolBins({}), workDir, ...DEFAULT_TOOL_BOUNDS };
    // Kustomize overlays and Helm charts are detected and rendered as the operator does
    const { objects: rendered } = await renderSource({ root: opts.dir, source: { path: "." }, releaseName: "release-name", namespace, capabilities: () => cluster.capabilities(), tools });
    await Promise.all(rendered.map((r) => cluster.kindOf(r.object.apiVersion, r.object.kind)));
    const placed = assignNamespaces({ objects: rendered, defaultNamespace: namespace, scopeOf: (g, k) => cluster.scopeOf(g, k) });
    const desired = placed.map(({ object, source }) => ({ key: keyOf(object), object, source }));
    const diffs = (await diffDesired({ cluster, desired, fresh: true, prepare: keepTracking })).map((d) => d.diff);
    print(diffs, opts.output, io);
    const errors = diffs.filter((d) => d.action === "error");
    for (const e of errors) io.stderr.write(`plumb diff: ${e.message}\n`);
    return errors.length ? 2 : diffs.some((d) => d.action !== "none") ? 1 : 0;
  } catch (err) {
    const code = err instanceof PlumbError ? `${err.code}: ` : "";
    io.stderr.write(`plumb diff: ${code}${(err as Error).message}\n`);
    return 2;
  } finally {
    rest?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}

function print(diffs: ResourceDiff[], output: "unified" | "json", io: CliIO): void {
  if (output === "json") {
    const resources = diffs.filter((d) => d.action !== "none").map(({ diff: _text, ...rest }) => rest);
    io.stdout.write(`${JSON.stringify({ resources }, null, 2)}\n`);
    return;
  }
  for (const d of diffs) if (d.diff) io.stdout.write(d.diff);
  const changed = diffs.filter((d) => d.action === "create" || d.action === "update");
  if (changed.length) io.stderr.write(`${changed.length} of ${diffs.length} object(s) would change: ${changed.map((d) => `${d.action} ${keyString(d)}`).join(", ")}\n`);
}

/** An object an Application manages keeps its label and tracking id; a sync of that app would keep them too. */
function keepTracking(desired: KubeObject, live: KubeObject | undefined): KubeObject {
  const id = live?.metadata.annotations?.[TRACKING_ANNOTATION];
  const app = live?.metadata.labels?.[APP_LABEL];
  if (!id || !app) return desired;
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      labels: { ...desired.metadata.labels, [APP_LABEL]: app },
      annotations: { ...desired.metadata.annotations, [TRACKING_ANNOTATION]: id },
    },
  };
}
