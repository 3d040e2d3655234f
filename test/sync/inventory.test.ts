import { describe, expect, it } from "vitest";
import type { ResourceStatus } from "../../src/model/application.js";
import type { KubeObject } from "../../src/model/object.js";
import { keyOf, type ResourceKey } from "../../src/model/resource-key.js";
import { intendedInventory } from "../../src/sync/observe.js";
import { planSync, type ComparedObject, type OrphanObject } from "../../src/sync/plan.js";
import { nextStatus } from "../../src/sync/status.js";

const cm = (name: string, tracking?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "n", uid: `uid-${name}`, ...(tracking ? { annotations: { "plumb.dev/tracking-id": tracking } } : {}) },
});
const trackingIdOf = (k: ResourceKey) => `ns/app:${k.group}/${k.kind}:${k.namespace}/${k.name}`;
const entry = (name: string): ResourceStatus => ({ group: "", version: "v1", kind: "ConfigMap", namespace: "n", name, status: "Synced", health: { status: "Healthy" } });
const compared = (name: string, live: boolean): ComparedObject => ({ key: keyOf(cm(name)), object: cm(name), live: live ? cm(name) : undefined, inSync: false });

describe("intendedInventory (written before a sync's first write)", () => {
  it("keeps the current entries as they are and adds what the sync may create", () => {
    const got = intendedInventory([entry("old"), entry("kept")], [compared("kept", true), compared("new", false)]);
    expect(got).toEqual([entry("old"), entry("kept"), { group: "", version: "v1", kind: "ConfigMap", namespace: "n", name: "new", status: "OutOfSync" }]);
  });

  it("changes nothing when every desired object is already in the inventory", () => {
    expect(intendedInventory([entry("a")], [compared("a", true)])).toEqual([entry("a")]);
  });

  it("lets a later plan prune an object applied by a sync that died, and forget one that was never created", () => {
    // the sync recorded {applied, never-created} and died; Git has dropped both
    const inventory = intendedInventory([], [compared("applied", false), compared("never-created", false)]);
    const orphans: OrphanObject[] = inventory.map((r) => ({ key: { group: r.group, kind: r.kind, namespace: r.namespace, name: r.name }, apiVersion: "v1", live: r.name === "applied" ? cm("applied", trackingIdOf(keyOf(cm("applied")))) : undefined }));
    const plan = planSync({ compared: [compared("other", true)], orphans, trackingIdOf, prune: true });
    expect(plan.prunes.map((p) => [p.key.name, p.action])).toEqual([["applied", "prune"], ["never-created", "forget"]]);
  });
});

describe("objects kept as extraneous", () => {
  it("are no writes: a plan with only those has nothing to apply", () => {
    const orphans: OrphanObject[] = [{ key: keyOf(cm("gone")), apiVersion: "v1", live: cm("gone", trackingIdOf(keyOf(cm("gone")))) }];
    const plan = planSync({ compared: [{ ...compared("a", true), inSync: true }], orphans, trackingIdOf, prune: false });
    expect(plan).toMatchObject({ inSync: false, writes: false });
    expect(plan.prunes.map((p) => p.action)).toEqual(["extraneous"]);
  });

  it("make Ready say why the app is OutOfSync", () => {
    const s = nextStatus(undefined, { generation: 1, headRevision: "b".repeat(40), deployedRevision: "b".repeat(40), sync: "OutOfSync", health: { status: "Healthy", message: "" }, extraneous: 2 }, new Date(0));
    expect(s.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "OutOfSync", message: "2 object(s) no longer in Git at bbbbbbb are kept because prune is disabled; a manual sync prunes them" });
  });
});
