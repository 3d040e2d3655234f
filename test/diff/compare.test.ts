import { describe, expect, it } from "vitest";
import { compareObjects, normalize } from "../../src/diff/index.js";
import type { IgnoreDifference, KubeObject } from "../../src/model/index.js";
import { fixture, withField } from "./fixtures.js";

const live = fixture("deployment-live");
const dryRun = fixture("deployment-dry-run");

describe("compareObjects", () => {
  it("finds no drift between a live Deployment full of defaults and its dry-run result", () => {
    expect(compareObjects({ live, desired: dryRun })).toEqual({ inSync: true, patch: [] });
  });

  it.each([
    { field: "managedFields", change: (o: KubeObject) => withField(o, "metadata.managedFields", [{ manager: "kubectl" }]) },
    { field: "resourceVersion", change: (o: KubeObject) => withField(o, "metadata.resourceVersion", "99999") },
    { field: "generation", change: (o: KubeObject) => withField(o, "metadata.generation", 42) },
    { field: "uid", change: (o: KubeObject) => withField(o, "metadata.uid", "00000000-0000-0000-0000-000000000000") },
    { field: "creationTimestamp", change: (o: KubeObject) => withField(o, "metadata.creationTimestamp", "2030-01-01T00:00:00Z") },
    { field: "selfLink", change: (o: KubeObject) => withField(o, "metadata.selfLink", "/apis/apps/v1/x") },
    { field: "deletionGracePeriodSeconds", change: (o: KubeObject) => withField(o, "metadata.deletionGracePeriodSeconds", 30) },
    { field: "status", change: (o: KubeObject) => withField(o, "status", { replicas: 7 }) },
    { field: "the last-applied annotation", change: (o: KubeObject) => withLastApplied(o, "{}") },
  ])("ignores a difference in $field", ({ change }) => {
    expect(compareObjects({ live, desired: change(dryRun) }).inSync).toBe(true);
  });

  it("detects a changed image with a replace at its pointer", () => {
    const desired = withField(dryRun, "spec.template.spec.containers", [{ ...containerOf(dryRun), image: "nginx:1.28" }]);
    const result = compareObjects({ live, desired });
    expect(result.inSync).toBe(false);
    expect(result.patch).toEqual([{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:1.28" }]);
  });

  it("detects a field removed in Git", () => {
    const desired = withField(dryRun, "metadata.labels", { "plumb.dev/application": "guestbook" });
    expect(compareObjects({ live, desired }).patch).toEqual([{ op: "remove", path: "/metadata/labels/app" }]);
  });

  it("detects a field added in Git", () => {
    const desired = withField(dryRun, "spec.minReadySeconds", 5);
    expect(compareObjects({ live, desired }).patch).toEqual([{ op: "add", path: "/spec/minReadySeconds", value: 5 }]);
  });

  it("reports a missing live object as out of sync, adding the whole normalized object", () => {
    const result = compareObjects({ live: undefined, desired: dryRun });
    expect(result).toEqual({ inSync: false, patch: [{ op: "add", path: "", value: normalize(dryRun) }] });
  });

  const scaled = withField(live, "spec.replicas", 5);
  it.each<[string, IgnoreDifference, boolean]>([
    ["group and kind", { group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }, true],
    ["group, kind, name and namespace", { group: "apps", kind: "Deployment", name: "web", namespace: "guestbook", jsonPointers: ["/spec/replicas"] }, true],
    ["the whole object (empty pointer)", { group: "apps", kind: "Deployment", jsonPointers: [""] }, true],
    ["another name", { group: "apps", kind: "Deployment", name: "api", jsonPointers: ["/spec/replicas"] }, false],
    ["another namespace", { group: "apps", kind: "Deployment", namespace: "prod", jsonPointers: ["/spec/replicas"] }, false],
    ["the core group", { kind: "Deployment", jsonPointers: ["/spec/replicas"] }, false],
    ["another pointer", { group: "apps", kind: "Deployment", jsonPointers: ["/spec/paused"] }, false],
  ])("applies ignoreDifferences matching on %s", (_name, entry, inSync) => {
    expect(compareObjects({ live: scaled, desired: dryRun, ignore: [entry] }).inSync).toBe(inSync);
  });

  it("ignores pointers with escaped tokens and array indexes", () => {
    const annotated = withField(live, "spec.template.metadata.annotations", { "example.com/restartedAt": "now" });
    const ignore = [
      { group: "apps", kind: "Deployment", jsonPointers: ["/spec/template/metadata/annotations/example.com~1restartedAt"] },
    ];
    expect(compareObjects({ live: annotated, desired: dryRun, ignore }).inSync).toBe(true);
    const image = withField(live, "spec.template.spec.containers", [{ ...containerOf(live), image: "other" }]);
    const byIndex = [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/template/spec/containers/0/image"] }];
    expect(compareObjects({ live: image, desired: dryRun, ignore: byIndex }).inSync).toBe(true);
  });
});

describe("normalize", () => {
  it("leaves its input untouched and drops maps emptied by removals", () => {
    const before = structuredClone(live);
    const onlyLastApplied = withLastApplied(withField(dryRun, "metadata.annotations", {}), "{}");
    expect(normalize(onlyLastApplied).metadata.annotations).toBeUndefined();
    expect(normalize(live).metadata).not.toHaveProperty("managedFields");
    expect(live).toEqual(before);
  });

  it("keeps empty maps it did not empty, such as emptyDir: {}", () => {
    const withVolume = withField(dryRun, "spec.template.spec.volumes", [{ name: "tmp", emptyDir: {} }]);
    expect(normalize(withVolume).spec).toMatchObject({ template: { spec: { volumes: [{ name: "tmp", emptyDir: {} }] } } });
  });
});

function containerOf(obj: KubeObject): Record<string, unknown> {
  return (obj.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0]!;
}

function withLastApplied(obj: KubeObject, value: string): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata.annotations = { ...copy.metadata.annotations, "kubectl.kubernetes.io/last-applied-configuration": value };
  return copy;
}
