import { splitApiVersion, type KubeObject } from "../model/index.js";
import { RenderError } from "../errors.js";
import { namespaceNameProblem } from "./names.js";
import { renderErrorAt } from "./render-error.js";
import type { RenderedObject } from "./rendered-object.js";
import { assertUniqueObjects } from "./unique-objects.js";

/** Whether a kind is namespaced, as the API server's discovery says; undefined when unknown. */
export type ScopeOf = (group: string, kind: string) => "Namespaced" | "Cluster" | undefined;

/**
 * Gives namespaced objects that name none the default namespace and drops the
 * namespace from cluster-scoped objects (as kubectl does). Kinds defined by a
 * CustomResourceDefinition in the same render are known even before it is
 * installed. Pure; returns new objects and re-checks for duplicates, since
 * `web` and `default/web` may now be the same object.
 */
export function assignNamespaces(opts: {
  objects: readonly RenderedObject[];
  defaultNamespace?: string;
  scopeOf: ScopeOf;
}): RenderedObject[] {
  const { defaultNamespace } = opts;
  const problem = defaultNamespace ? namespaceNameProblem(defaultNamespace) : undefined;
  if (problem) {
    throw new RenderError(`destination namespace "${defaultNamespace}" ${problem}`, {
      code: "InvalidName",
      data: { key: "destination.namespace" },
    });
  }
  const scopeOf = withRenderedCrds(opts.objects, opts.scopeOf);
  const out = opts.objects.map((rendered) => {
    const { object, source } = rendered;
    const { group } = splitApiVersion(object.apiVersion);
    const scope = scopeOf(group, object.kind);
    if (scope === undefined) {
      throw renderErrorAt(source, {
        code: "UnknownKind",
        message: `unknown kind ${object.kind} in ${object.apiVersion}: the API server does not serve it (is the CRD installed?)`,
        data: { group, kind: object.kind },
      });
    }
    const { namespace, ...metadata } = object.metadata;
    if (scope === "Cluster") return namespace === undefined ? rendered : withMetadata(rendered, metadata);
    if (namespace) return rendered;
    if (!defaultNamespace) {
      throw renderErrorAt(source, {
        code: "NoNamespace",
        message: `${object.kind} "${object.metadata.name}" is namespaced but names no namespace and the Application has no destination.namespace`,
      });
    }
    return withMetadata(rendered, { ...metadata, namespace: defaultNamespace });
  });
  assertUniqueObjects(out);
  return out;
}

function withMetadata(rendered: RenderedObject, metadata: KubeObject["metadata"]): RenderedObject {
  return { object: { ...rendered.object, metadata }, source: rendered.source };
}

/** Layers the scopes declared by CRDs in this render over discovery. */
function withRenderedCrds(objects: readonly RenderedObject[], scopeOf: ScopeOf): ScopeOf {
  const declared = new Map<string, "Namespaced" | "Cluster">();
  for (const { object } of objects) {
    if (object.kind !== "CustomResourceDefinition" || splitApiVersion(object.apiVersion).group !== "apiextensions.k8s.io") {
      continue;
    }
    const spec = object.spec as { group?: unknown; scope?: unknown; names?: { kind?: unknown } } | undefined;
    if (typeof spec?.group === "string" && typeof spec.names?.kind === "string" && (spec.scope === "Namespaced" || spec.scope === "Cluster")) {
      declared.set(`${spec.group}/${spec.names.kind}`, spec.scope);
    }
  }
  return (group, kind) => scopeOf(group, kind) ?? declared.get(`${group}/${kind}`);
}
