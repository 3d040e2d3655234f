import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { assignNamespaces, renderSource, withoutTools } from "../render/index.js";
import type { ClusterCapabilities, RenderedObject, RenderTools, SourceKind } from "../render/index.js";
import type { Application } from "../model/application.js";
import { APP_LABEL, TRACKING_ANNOTATION } from "../model/labels.js";
import type { KubeObject } from "../model/object.js";
import { keyOf, trackingId, type ResourceKey } from "../model/resource-key.js";
import type { ClusterPort } from "./ports.js";
import type { FetchedSource } from "./source.js";

/** A desired object, ready to apply: namespaced, labelled and annotated. */
export interface DesiredObject {
  key: ResourceKey;
  object: KubeObject;
  source: RenderedObject["source"];
}

/** The tracking id of a key for this app. */
export function appTrackingId(app: Application, key: ResourceKey): string {
  return trackingId({ namespace: app.metadata.namespace ?? "default", name: app.metadata.name }, key);
}

/**
 * Renders of recent (app, spec generation, Git content) triples, kept as
 * deflated JSON: a tenth of the objects' size in memory, and back in tens of
 * microseconds where YAML takes milliseconds, so a reconcile of an unchanged
 * path re-renders nothing.
 */
export class RenderMemo {
  readonly limit: number;
  #entries = new Map<string, Buffer>();
  #inputs = new Map<string, RenderInputs>();

  constructor(limit = 4096) {
    this.limit = limit;
  }

  get(key: string): DesiredObject[] | undefined {
    const packed = this.#entries.get(key);
    if (packed === undefined) return undefined;
    this.#entries.delete(key); // most recently used last
    this.#entries.set(key, packed);
    return JSON.parse(inflateRawSync(packed).toString("utf8")) as DesiredObject[];
  }

  set(key: string, desired: DesiredObject[]): void {
    this.#entries.delete(key);
    this.#entries.set(key, deflateRawSync(JSON.stringify(desired), { level: 1 }));
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** What the last render of an app (at one spec generation) read. */
  inputsOf(appKey: string): RenderInputs | undefined {
    return this.#inputs.get(appKey);
  }

  /** Notes what a render of an app read. */
  setInputs(appKey: string, inputs: RenderInputs): void {
    this.#inputs.delete(appKey);
    this.#inputs.set(appKey, inputs);
    if (this.#inputs.size > this.limit) this.#inputs.delete(this.#inputs.keys().next().value!);
  }
}

/** The kind of an app's last render and the repository paths it read. */
export interface RenderInputs {
  kind: SourceKind;
  paths: string[];
}

/**
 * What a render of `inputs` at this source depends on: for a plain directory
 * or a chart archive the source's own key; for Kustomize and Helm the object
 * ids of every path the tool read (or the whole commit when one of them
 * holds a symlink), plus, for Helm, the cluster's capabilities.
 */
async function contentKeyOf(opts: { source: FetchedSource; inputs: RenderInputs; capabilities: () => Promise<ClusterCapabilities | undefined> }): Promise<string> {
  const { source, inputs } = opts;
  if (inputs.kind === "directory") return source.contentKey;
  let key = inputs.kind === "chart" ? source.contentKey : "";
  if (inputs.kind !== "chart") {
    const ids = await Promise.all(inputs.paths.map(async (p) => ((await source.symlinksAt(p)) ? undefined : `${p}=${(await source.objectAt(p)) ?? "-"}`)));
    key = ids.includes(undefined) ? `commit ${source.revision}` : ids.join(";");
  }
  if (inputs.kind === "helm" || inputs.kind === "chart") {
    const caps = await opts.capabilities();
    key += `|caps ${createHash("sha256").update(JSON.stringify(caps ?? null)).digest("hex").slice(0, 16)}`;
  }
  return `${inputs.kind} ${key}`;
}

/**
 * Renders the app's path at the fetched commit into the objects to apply:
 * files → objects, namespaces from discovery (a CRD in the same render counts),
 * the ownership label and tracking annotation added. With a memo, a path
 * whose content and app spec are unchanged is not rendered (or checked out) again.
 */
export async function renderDesired(opts: { app: Application; source: FetchedSource; cluster: ClusterPort; memo?: RenderMemo; tools?: RenderTools }): Promise<DesiredObject[]> {
  const { app, source, cluster, memo } = opts;
  const appKey = `${app.metadata.uid ?? ""}|${app.metadata.namespace}/${app.metadata.name}|${app.metadata.generation ?? 0}|${app.spec.source.repoURL}`;
  const capabilities = () => cluster.capabilities?.() ?? Promise.resolve(undefined);
  // a render reads the same inputs as the last one of this app until one of them changes
  const known = memo?.inputsOf(appKey);
  if (known) {
    const remembered = memo?.get(`${appKey}|${await contentKeyOf({ source, inputs: known, capabilities })}`);
    if (remembered) return remembered;
  }
  const chart = !!app.spec.source.chart;
  const checkout = await source.checkout();
  const result = await renderSource({
    ...(chart ? { chartArchive: checkout } : { root: checkout }),
    source: app.spec.source,
    releaseName: app.metadata.name,
    namespace: app.spec.destination?.namespace,
    capabilities,
    tools: opts.tools ?? withoutTools(tmpdir()),
  });
  const rendered = result.objects;
  // warm discovery for every kind used, so scopeOf below answers from cache
  const kinds = new Map(rendered.map((r) => [`${r.object.apiVersion}/${r.object.kind}`, r.object] as const));
  await Promise.all([...kinds.values()].map((o) => cluster.kindOf(o.apiVersion, o.kind)));
  const placed = assignNamespaces({
    objects: rendered,
    defaultNamespace: app.spec.destination?.namespace ?? undefined,
    scopeOf: (g, k) => cluster.scopeOf(g, k),
  });
  const desired = placed.map(({ object, source: where }) => {
    const key = keyOf(object);
    return { key, source: where, object: track(object, app, key) };
  });
  if (memo) {
    const inputs = { kind: result.kind, paths: result.inputs };
    memo.setInputs(appKey, inputs);
    memo.set(`${appKey}|${await contentKeyOf({ source, inputs, capabilities })}`, desired);
  }
  return desired;
}

function track(object: KubeObject, app: Application, key: ResourceKey): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [APP_LABEL]: app.metadata.name },
      annotations: { ...object.metadata.annotations, [TRACKING_ANNOTATION]: appTrackingId(app, key) },
    },
  };
}
