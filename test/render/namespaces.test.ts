import { describe, expect, it } from "vitest";
import { RenderError } from "../../src/errors.js";
import { assignNamespaces, type RenderedObject } from "../../src/render/index.js";
import type { KubeObject } from "../../src/model/index.js";

const scopes: Record<string, "Namespaced" | "Cluster"> = {
  "/ConfigMap": "Namespaced",
  "/Namespace": "Cluster",
  "rbac.authorization.k8s.io/ClusterRole": "Cluster",
  "apiextensions.k8s.io/CustomResourceDefinition": "Cluster",
};
const scopeOf = (group: string, kind: string) => scopes[`${group}/${kind}`];

function rendered(object: Partial<KubeObject> & { kind: string; metadata: KubeObject["metadata"] }, line = 1): RenderedObject {
  return { object: { apiVersion: "v1", ...object }, source: { file: "app.yaml", line } };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof RenderError) return err.code;
    throw err;
  }
  return undefined;
}

describe("assignNamespaces", () => {
  it("gives namespaced objects without a namespace the default and keeps explicit ones", () => {
    const out = assignNamespaces({
      objects: [rendered({ kind: "ConfigMap", metadata: { name: "a" } }), rendered({ kind: "ConfigMap", metadata: { name: "b", namespace: "other" } })],
      defaultNamespace: "team",
      scopeOf,
    });
    expect(out.map((o) => o.object.metadata.namespace)).toEqual(["team", "other"]);
  });

  it("removes the namespace from cluster-scoped objects without touching the input", () => {
    const input = rendered({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "r", namespace: "team" } });
    const [out] = assignNamespaces({ objects: [input], defaultNamespace: "team", scopeOf });
    expect(out!.object.metadata).toEqual({ name: "r" });
    expect(input.object.metadata.namespace).toBe("team");
  });

  it("refuses a namespaced object when there is no default namespace", () => {
    expect(codeOf(() => assignNamespaces({ objects: [rendered({ kind: "ConfigMap", metadata: { name: "a" } })], scopeOf }))).toBe("NoNamespace");
  });

  it("names the file and line of an unknown kind and asks about the CRD", () => {
    const widget = rendered({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }, 7);
    expect(() => assignNamespaces({ objects: [widget], defaultNamespace: "team", scopeOf })).toThrow(
      /^app\.yaml:7: unknown kind Widget in example.com\/v1.*is the CRD installed\?/,
    );
  });

  it("knows the scope of kinds whose CRD is in the same render", () => {
    const crd = rendered({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: { group: "example.com", scope: "Namespaced", names: { kind: "Widget", plural: "widgets" } },
    });
    const widget = rendered({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } });
    const out = assignNamespaces({ objects: [crd, widget], defaultNamespace: "team", scopeOf });
    expect(out[1]!.object.metadata.namespace).toBe("team");
  });

  it("refuses objects that become duplicates once the namespace is filled in", () => {
    const objects = [rendered({ kind: "ConfigMap", metadata: { name: "a" } }), rendered({ kind: "ConfigMap", metadata: { name: "a", namespace: "team" } }, 9)];
    expect(codeOf(() => assignNamespaces({ objects, defaultNamespace: "team", scopeOf }))).toBe("DuplicateObject");
  });

  it("refuses an invalid default namespace", () => {
    expect(codeOf(() => assignNamespaces({ objects: [], defaultNamespace: "Team_A", scopeOf }))).toBe("InvalidName");
  });
});
