import { assignNamespaces, renderDirectory } from "../render/index.js";
import type { RenderedObject } from "../render/index.js";
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
 * Renders the app's path at the fetched commit into the objects to apply:
 * files → objects, namespaces from discovery (a CRD in the same render counts),
 * the ownership label and tracking annotation added.
 */
export async function renderDesired(opts: { app: Application; source: FetchedSource; cluster: ClusterPort }): Promise<DesiredObject[]> {
  const { app, source, cluster } = opts;
  const rendered = await renderDirectory({
    root: source.dir,
    path: app.spec.source.path ?? ".",
    recurse: app.spec.source.directory?.recurse ?? true,
  });
  // warm discovery for every kind used, so scopeOf below answers from cache
  const kinds = new Map(rendered.map((r) => [`${r.object.apiVersion}/${r.object.kind}`, r.object] as const));
  await Promise.all([...kinds.values()].map((o) => cluster.kindOf(o.apiVersion, o.kind)));
  const placed = assignNamespaces({
    objects: rendered,
    defaultNamespace: app.spec.destination?.namespace ?? undefined,
    scopeOf: (g, k) => cluster.scopeOf(g, k),
  });
  return placed.map(({ object, source: where }) => {
    const key = keyOf(object);
    return { key, source: where, object: track(object, app, key) };
  });
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
