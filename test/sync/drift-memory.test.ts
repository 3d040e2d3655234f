import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/model/object.js";
import { DriftMemory } from "../../src/sync/drift-memory.js";

const desired: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: "web", image: "web:1" }] } } },
};

/** A loosely typed live object, so tests can poke at any field. */
type Loose = { metadata: Record<string, unknown> & { labels?: unknown }; spec: { replicas?: number; strategy?: unknown; template: { spec: { containers: { image: string }[] } } }; status: { readyReplicas: number } };

function live(patch: (o: Loose) => void = () => undefined): KubeObject {
  const o = structuredClone(desired) as unknown as Loose;
  o.metadata = { ...o.metadata, resourceVersion: "10", uid: "u1", managedFields: [{ manager: "plumb" }] };
  o.spec.strategy = { type: "RollingUpdate" };
  o.status = { readyReplicas: 1 };
  patch(o);
  return o as unknown as KubeObject;
}

describe("DriftMemory", () => {
  it("vouches for an object found in sync while nothing it declares changed", () => {
    const m = new DriftMemory();
    m.remember("id", desired, live());
    expect(m.vouches("id", desired, live())).toBe(true);
  });

  it.each([
    ["a status update", (o: Loose) => ((o.status.readyReplicas = 2), (o.metadata.resourceVersion = "11"))],
    ["a controller's annotation", (o: Loose) => ((o.metadata.annotations = { "deployment.kubernetes.io/revision": "1" }), (o.metadata.resourceVersion = "12"))],
    ["a defaulted field set by someone else", (o: Loose) => ((o.spec.strategy = { type: "Recreate" }), (o.metadata.resourceVersion = "13"))],
  ])("still vouches after %s", (_what, patch) => {
    const m = new DriftMemory();
    m.remember("id", desired, live());
    expect(m.vouches("id", desired, live(patch))).toBe(true);
  });

  it.each([
    ["a declared field edited by hand", (o: Loose) => ((o.spec.replicas = 5), (o.metadata.resourceVersion = "14"))],
    ["a declared label removed", (o: Loose) => ((o.metadata.labels = {}), (o.metadata.resourceVersion = "15"))],
    ["a container list changed", (o: Loose) => ((o.spec.template.spec.containers[0]!.image = "web:evil"), (o.metadata.resourceVersion = "16"))],
  ])("no longer vouches after %s", (_what, patch) => {
    const m = new DriftMemory();
    m.remember("id", desired, live());
    expect(m.vouches("id", desired, live(patch))).toBe(false);
  });

  it("no longer vouches once the manifest changed, or for a forgotten or missing object", () => {
    const m = new DriftMemory();
    m.remember("id", desired, live());
    expect(m.vouches("id", { ...desired, spec: { replicas: 3 } }, live())).toBe(false);
    expect(m.vouches("id", desired, undefined)).toBe(false);
    m.forget("id");
    expect(m.vouches("id", desired, live())).toBe(false);
  });
});

describe("DriftMemory.forgetApp", () => {
  it("forgets every object of a deleted app and nothing of another", () => {
    const m = new DriftMemory();
    m.remember("shop/web|apps/Deployment:shop/web", desired, live());
    m.remember("shop/web|/ConfigMap:shop/cfg", desired, live());
    m.remember("shop/web-2|apps/Deployment:shop/web", desired, live());
    m.forgetApp("shop/web");
    expect(m.size).toBe(1);
    expect(m.vouches("shop/web|apps/Deployment:shop/web", desired, live())).toBe(false);
    expect(m.vouches("shop/web-2|apps/Deployment:shop/web", desired, live())).toBe(true);
  });
});

describe("DriftMemory across a restart (syncHash recorded in status)", () => {
  const recordedBy = () => {
    const before = new DriftMemory();
    before.remember("id", desired, live());
    return before.syncHashOf("id")!;
  };

  it("a fresh memory vouches from the recorded hash when manifest and live declared fields are unchanged", () => {
    const after = new DriftMemory();
    // status moved on, the resourceVersion too: still in sync
    expect(after.vouchesFor("id", desired, live((o) => { o.metadata.resourceVersion = "99"; o.status.readyReplicas = 2; }), recordedBy())).toBe(true);
    expect(after.vouches("id", desired, live((o) => (o.metadata.resourceVersion = "99")))).toBe(true); // and remembers it
  });

  it.each([
    ["a declared field drifted while the operator was down", desired, live((o) => (o.spec.template.spec.containers[0]!.image = "web:evil"))],
    ["the manifest changed in Git", { ...desired, spec: { ...(desired.spec as object), replicas: 3 } }, live()],
    ["the object is gone", desired, undefined],
  ])("never trusts it blindly: no vouch when %s", (_why, want, now) => {
    const after = new DriftMemory();
    expect(after.vouchesFor("id", want as KubeObject, now, recordedBy())).toBe(false);
    expect(after.size).toBe(0);
  });

  it("no vouch without a recorded hash, or with a forged one", () => {
    const after = new DriftMemory();
    expect(after.vouchesFor("id", desired, live(), undefined)).toBe(false);
    expect(after.vouchesFor("id", desired, live(), "forged")).toBe(false);
  });
});
