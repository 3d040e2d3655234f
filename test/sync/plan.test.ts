import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/model/object.js";
import { keyOf } from "../../src/model/resource-key.js";
import { planSync, type OrphanObject } from "../../src/sync/plan.js";
import { compared, trackingIdOf } from "./plan-fixtures.js";

const obj = (apiVersion: string, kind: string, name: string, opts: { ns?: string; wave?: string; tracking?: string } = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: {
    name,
    ...(opts.ns ? { namespace: opts.ns } : {}),
    annotations: { ...(opts.wave ? { "plumb.dev/sync-wave": opts.wave } : {}), ...(opts.tracking ? { "plumb.dev/tracking-id": opts.tracking } : {}) },
    uid: `uid-${name}`,
  },
});

describe("planSync", () => {
  it("orders Namespaces, CRDs, cluster RBAC, then waves, kinds and names, webhooks last", () => {
    const plan = planSync({
      compared: [
        compared(obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "hook"), "create"),
        compared(obj("apps/v1", "Deployment", "web", { ns: "a" }), "create"),
        compared(obj("v1", "ConfigMap", "late", { ns: "a", wave: "2" }), "create"),
        compared(obj("v1", "ConfigMap", "cfg", { ns: "a" }), "create"),
        compared(obj("rbac.authorization.k8s.io/v1", "ClusterRole", "cr"), "create"),
        compared(obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "x.example.com"), "create"),
        compared(obj("v1", "Namespace", "a"), "create"),
        compared(obj("v1", "ConfigMap", "early", { ns: "a", wave: "-1" }), "create"),
      ],
      orphans: [],
      trackingIdOf,
      prune: true,
    });
    expect(plan.steps.map((s) => [s.name, s.tasks.map((t) => t.key.name)])).toEqual([
      ["namespaces", ["a"]],
      ["crds", ["x.example.com"]],
      ["cluster-rbac", ["cr"]],
      ["wave -1", ["early"]],
      ["wave 0", ["cfg", "web"]],
      ["wave 2", ["late"]],
      ["webhooks", ["hook"]],
    ]);
  });

  it("marks in-sync objects skip, absent ones create, others update, and foreign ones conflict", () => {
    const plan = planSync({
      compared: [compared(obj("v1", "ConfigMap", "a", { ns: "n" }), "skip"), compared(obj("v1", "ConfigMap", "b", { ns: "n" }), "create"), compared(obj("v1", "ConfigMap", "c", { ns: "n" }), "update"), compared(obj("v1", "ConfigMap", "d", { ns: "n" }), "conflict")],
      orphans: [],
      trackingIdOf,
      prune: true,
    });
    expect(plan.steps[0]!.tasks.map((t) => t.action)).toEqual(["skip", "create", "update", "conflict"]);
    expect(plan.inSync).toBe(false);
  });

  it("is in sync when nothing needs writing", () => {
    const plan = planSync({ compared: [compared(obj("v1", "ConfigMap", "a", { ns: "n" }), "skip")], orphans: [], trackingIdOf, prune: true });
    expect(plan.inSync).toBe(true);
  });

  const orphan = (name: string, tracking: string | undefined, live = true): OrphanObject => {
    const o = obj("v1", "ConfigMap", name, { ns: "n", ...(tracking ? { tracking } : {}) });
    return { key: keyOf(o), apiVersion: "v1", live: live ? o : undefined };
  };

  it("prunes an orphan this app still owns, with its uid", () => {
    const plan = planSync({ compared: [compared(obj("v1", "ConfigMap", "keep", { ns: "n" }), "skip")], orphans: [orphan("gone", "ns/app:/ConfigMap:n/gone")], trackingIdOf, prune: true });
    expect(plan.prunes).toEqual([expect.objectContaining({ action: "prune", uid: "uid-gone" })]);
    expect(plan.inSync).toBe(false);
  });

  it.each([
    ["prune is disabled", { prune: false, tracking: "ns/app:/ConfigMap:n/gone", live: true }, "extraneous"],
    ["another app owns it now", { prune: true, tracking: "ns/other:/ConfigMap:n/gone", live: true }, "forget"],
    ["nobody owns it any more", { prune: true, tracking: undefined, live: true }, "forget"],
    ["it is already gone", { prune: true, tracking: "ns/app:/ConfigMap:n/gone", live: false }, "forget"],
  ])("does not prune when %s", (_why, c, action) => {
    const plan = planSync({ compared: [compared(obj("v1", "ConfigMap", "keep", { ns: "n" }), "skip")], orphans: [orphan("gone", c.tracking, c.live)], trackingIdOf, prune: c.prune });
    expect(plan.prunes[0]!.action).toBe(action);
  });

  it("never prunes everything when the render produced zero objects", () => {
    const plan = planSync({ compared: [], orphans: [orphan("a", "ns/app:/ConfigMap:n/a"), orphan("b", "ns/app:/ConfigMap:n/b")], trackingIdOf, prune: true });
    expect(plan.prunes.map((p) => p.action)).toEqual(["extraneous", "extraneous"]);
    expect(plan.pruneWithheld).toMatch(/zero objects/);
  });

  it("prunes nothing while an object is in conflict with another Application (a conflict is not success)", () => {
    const plan = planSync({
      compared: [compared(obj("v1", "ConfigMap", "keep", { ns: "n" }), "skip"), compared(obj("v1", "ConfigMap", "theirs", { ns: "n" }), "conflict")],
      orphans: [orphan("gone", "ns/app:/ConfigMap:n/gone")],
      trackingIdOf,
      prune: true,
    });
    expect(plan.prunes.map((p) => p.action)).toEqual(["extraneous"]);
    expect(plan.pruneWithheld).toMatch(/conflict/);
    expect(plan.writes).toBe(false);
  });

  it("carries 'not validated yet' from comparison to the task", () => {
    const plan = planSync({ compared: [{ ...compared(obj("v1", "ConfigMap", "later", { ns: "new" }), "create"), unvalidated: true }], orphans: [], trackingIdOf, prune: true });
    expect(plan.steps[0]!.tasks[0]!.unvalidated).toBe(true);
  });
});
