import { afterAll, describe, expect, it } from "vitest";
import { applyApplication, widgetCRDYAML, conditionOf, configMapYAML, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import { useTestEnvironment } from "../../support/env.js";
import { getJSON, kubectl, waitFor } from "../../support/kube.js";

// Promises the README makes about prune and dry-run, each broken once
// (issue 12, items 2-4) and each held here against the real cluster:
// a manual sync prunes only when asked; nothing is pruned while the sync is
// in Conflict; a new app that brings its own Namespace or CRD is validated
// before anything is written.

const env = useTestEnvironment("promises");
const extraNamespaces: string[] = [];
const crds: string[] = [];

afterAll(async () => {
  for (const ns of extraNamespaces) await kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
  for (const crd of crds) await kubectl(["delete", "crd", crd, "--wait=false"]).catch(() => undefined);
});

const exists = async (kind: string, name: string, ns?: string) => (await getJSON([kind, name, ...(ns ? ["-n", ns] : [])])) !== undefined;
const reasons = async (app: string) => (await kubectl(["get", "events", "-n", env.ns, "--field-selector", `involvedObject.name=${app}`, "-o", "jsonpath={.items[*].reason}"])).split(/\s+/);

/** Waits until the operator has finished a reconcile of `app` that started after now. */
async function nextReconcile(app: string, request: () => void): Promise<void> {
  const seen = env.op.logs.length;
  request();
  await waitFor(() => env.op.logs.slice(seen).some((l) => l.includes(`"app":"${env.ns}/${app}"`) && /"msg":"(reconciled|reconcile failed)"/.test(l)), { what: `a reconcile of ${app}`, timeoutMs: 90_000 });
}

describe("prune happens only when asked", () => {
  it("a manual sync of an app with automated.prune: false keeps what Git dropped, unless the request asks to prune", async () => {
    const repoURL = await env.git.createRepo("noprune");
    await env.git.commit("noprune", { files: { "a.yaml": configMapYAML("np-a", { k: "v" }), "b.yaml": configMapYAML("np-b", { k: "v" }) } });
    await applyApplication({ namespace: env.ns, name: "noprune", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "1h", syncPolicy: { automated: { prune: false } } } });
    await waitForReady(env.ns, "noprune");
    const rev2 = await env.git.commit("noprune", { files: { "b.yaml": null } });
    await nextReconcile("noprune", () => env.op.controller.request(env.ns, "noprune", { refresh: true }));
    await waitForApp(env.ns, "noprune", (a) => a.status?.sync?.status === "OutOfSync" && a.status.operationState?.revision !== undefined);

    // the API's POST .../sync without a body
    await nextReconcile("noprune", () => env.op.controller.request(env.ns, "noprune", { manual: true, refresh: true }));
    expect(await exists("configmap", "np-b", env.ns)).toBe(true);
    expect(await reasons("noprune")).not.toContain("Pruned");

    // POST .../sync {"prune": true}
    await nextReconcile("noprune", () => env.op.controller.request(env.ns, "noprune", { manual: true, prune: true, refresh: true }));
    await waitFor(async () => !(await exists("configmap", "np-b", env.ns)), { what: "np-b pruned" });
    await waitForReady(env.ns, "noprune", rev2);
    expect(await exists("configmap", "np-a", env.ns)).toBe(true);
  });

  it("prunes nothing while the sync is in Conflict with another Application", async () => {
    const theirs = await env.git.createRepo("owner");
    await env.git.commit("owner", { files: { "shared.yaml": configMapYAML("shared", { owner: "them" }) } });
    await applyApplication({ namespace: env.ns, name: "owner", spec: { source: { repoURL: theirs }, destination: { namespace: env.ns }, syncPolicy: { automated: { prune: true } } } });
    await waitForReady(env.ns, "owner");

    const mine = await env.git.createRepo("grabber");
    await env.git.commit("grabber", { files: { "keep.yaml": configMapYAML("g-keep", { k: "v" }), "drop.yaml": configMapYAML("g-drop", { k: "v" }) } });
    await applyApplication({ namespace: env.ns, name: "grabber", spec: { source: { repoURL: mine }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: { automated: { prune: true } } } });
    await waitForReady(env.ns, "grabber");
    // one commit both claims the other app's object and drops one of its own
    await env.git.commit("grabber", { files: { "drop.yaml": null, "shared.yaml": configMapYAML("shared", { owner: "me" }) } });
    const conflicted = await waitForApp(env.ns, "grabber", (a) => conditionOf(a, "Ready")?.reason === "Conflict");
    expect(conditionOf(conflicted, "Ready")?.message).toMatch(/nothing pruned/);
    // several polls later: still there, and the other app's object untouched
    await nextReconcile("grabber", () => env.op.controller.request(env.ns, "grabber", { refresh: true }));
    expect(await exists("configmap", "g-drop", env.ns)).toBe(true);
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "shared", "-n", env.ns]))?.data.owner).toBe("them");
    expect(await reasons("grabber")).not.toContain("Pruned");
  });
});

describe("a new app is validated before its first write", () => {
  it("creates neither its Namespace nor anything else when one object in that Namespace is invalid", async () => {
    const fresh = `${env.ns}-new`;
    extraNamespaces.push(fresh);
    const repoURL = await env.git.createRepo("new-ns");
    const ns = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${fresh}\n`;
    const badService = `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: ${fresh}\nspec:\n  ports:\n    - port: 99999\n`;
    await env.git.commit("new-ns", { files: { "ns.yaml": ns, "cm.yaml": configMapYAML("settings", { k: "v" }).replace("metadata:\n", `metadata:\n  namespace: ${fresh}\n`), "svc.yaml": badService } });
    await applyApplication({ namespace: env.ns, name: "new-ns", spec: { source: { repoURL }, destination: { namespace: fresh }, syncPolicy: { automated: { prune: true } } } });
    const failed = await waitForApp(env.ns, "new-ns", (a) => conditionOf(a, "Ready")?.status === "False" && !!conditionOf(a, "Ready")?.message?.includes("Service"));
    expect(conditionOf(failed, "Ready")?.message).toMatch(new RegExp(`Service ${fresh}/web \\(svc\\.yaml:1\\): .*99999`));
    expect(await exists("namespace", fresh)).toBe(false);
    expect(failed.status?.operationState).toBeUndefined();
  });

  it("with a CRD in the same sync: creates only the CRD, then refuses an invalid custom resource before writing anything else", async () => {
    const group = `${env.ns}.plumb.test`;
    const crdName = `widgets.${group}`;
    crds.push(crdName);
    const crd = widgetCRDYAML(group, "{type: integer, maximum: 10}");
    const widget = `apiVersion: ${group}/v1\nkind: Widget\nmetadata:\n  name: huge\nspec:\n  size: 1000\n`;
    const repoURL = await env.git.createRepo("new-crd");
    await env.git.commit("new-crd", { files: { "crd.yaml": crd, "widget.yaml": widget, "cm.yaml": configMapYAML("crd-side", { k: "v" }) } });
    await applyApplication({ namespace: env.ns, name: "new-crd", spec: { source: { repoURL }, destination: { namespace: env.ns }, syncPolicy: { automated: { prune: true } } } });
    const failed = await waitForApp(env.ns, "new-crd", (a) => !!conditionOf(a, "Ready")?.message?.includes("Widget"));
    expect(conditionOf(failed, "Ready")?.message).toMatch(new RegExp(`Widget ${env.ns}/huge \\(widget\\.yaml:1\\): .*size`));
    // the CRD could only be validated by creating it; nothing that needed it, nor anything after it, was written
    expect(await exists("crd", crdName)).toBe(true);
    expect(await exists("configmap", "crd-side", env.ns)).toBe(false);
    expect(await exists(`widgets.${group}`, "huge", env.ns)).toBe(false);
    expect((await getApplication(env.ns, "new-crd"))?.status?.operationState?.phase).toBe("Failed");
  });
});
