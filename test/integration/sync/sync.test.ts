import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApplication, conditionOf, configMapYAML, deploymentYAML, getApplication, serviceYAML, waitForApp, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace, getJSON, kubectl, waitFor } from "../../support/kube.js";
import { startTestOperator, type TestOperator } from "../../support/operator.js";

// The core loop against the real cluster and a real Git server: a push
// becomes live, changes and removals follow, drift heals, and failures
// never delete anything.

let git: GitServer;
let op: TestOperator;
let ns: string;

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("sync");
  op = await startTestOperator({ namespace: ns });
});

afterAll(async () => {
  await op?.stop();
  await git?.stop();
});

const automated = { automated: { prune: true, selfHeal: true } };

describe("sync", () => {
  it("applies a first commit, follows a change and prunes a removed file", async () => {
    const repoURL = await git.createRepo("basic");
    const first = await git.commit("basic", {
      files: {
        "app/web.yaml": deploymentYAML("web"),
        "app/svc.yaml": serviceYAML("web"),
        "app/settings.yaml": configMapYAML("settings", { color: "blue" }),
        "app/extra.yaml": configMapYAML("extra", { a: "1" }),
        "README.md": "not a manifest",
      },
    });
    const t0 = Date.now();
    await applyApplication({ namespace: ns, name: "basic", spec: { source: { repoURL, path: "app" }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated } });
    const ready = await waitForReady(ns, "basic", first);
    console.log(`push→Ready (first sync, polling): ${Date.now() - t0} ms`);
    expect(ready.status?.sync?.status).toBe("Synced");
    expect(ready.status?.health?.status).toBe("Healthy");
    expect(ready.status?.resources?.map((r) => `${r.kind}/${r.name}`).sort()).toEqual(["ConfigMap/extra", "ConfigMap/settings", "Deployment/web", "Service/web"]);
    const cm = await getJSON<{ metadata: { labels: Record<string, string>; annotations: Record<string, string> } }>(["configmap", "settings", "-n", ns]);
    expect(cm?.metadata.labels["plumb.dev/application"]).toBe("basic");
    expect(cm?.metadata.annotations["plumb.dev/tracking-id"]).toBe(`${ns}/basic:/ConfigMap:${ns}/settings`);
    expect(ready.status?.history?.[0]).toMatchObject({ id: 1, revision: first, trigger: "Automated" });

    const second = await git.commit("basic", { files: { "app/settings.yaml": configMapYAML("settings", { color: "green" }), "app/extra.yaml": null } });
    const t1 = Date.now();
    const after = await waitForReady(ns, "basic", second);
    console.log(`push→Ready (change + prune, polling 2s): ${Date.now() - t1} ms`);
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "settings", "-n", ns]))?.data.color).toBe("green");
    await waitFor(async () => (await getJSON(["configmap", "extra", "-n", ns])) === undefined, { what: "extra pruned" });
    expect(after.status?.resources?.some((r) => r.name === "extra")).toBe(false);
    expect(after.status?.history?.map((h) => h.revision)).toEqual([second, first]);
    const events = await kubectl(["get", "events", "-n", ns, "--field-selector", "involvedObject.name=basic", "-o", "jsonpath={.items[*].reason}"]);
    expect(events).toContain("Synced");
    expect(events).toContain("Pruned");
  });

  it("heals live drift", async () => {
    const repoURL = await git.createRepo("heal");
    const rev = await git.commit("heal", { files: { "cm.yaml": configMapYAML("healme", { mode: "git" }) } });
    await applyApplication({ namespace: ns, name: "heal", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "30s", syncPolicy: automated } });
    await waitForReady(ns, "heal", rev);
    await kubectl(["patch", "configmap", "healme", "-n", ns, "--type=merge", "-p", '{"data":{"mode":"hand-edited"}}']);
    await waitFor(async () => (await getJSON<{ data: Record<string, string> }>(["configmap", "healme", "-n", ns]))?.data.mode === "git", { what: "drift healed", timeoutMs: 20_000 });
  });

  it("only reports OutOfSync for a manual app and applies nothing", async () => {
    const repoURL = await git.createRepo("manual");
    const rev = await git.commit("manual", { files: { "cm.yaml": configMapYAML("manual-cm", { a: "b" }) } });
    await applyApplication({ namespace: ns, name: "manual", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "2s" } });
    const app = await waitForApp(ns, "manual", (a) => a.status?.sync?.status === "OutOfSync");
    expect(conditionOf(app, "Ready")).toMatchObject({ status: "False", reason: "OutOfSync" });
    expect(app.status?.health?.status).toBe("Missing");
    expect(app.status?.sync?.revision).toBe(rev);
    expect(await getJSON(["configmap", "manual-cm", "-n", ns])).toBeUndefined();
    op.controller.request(ns, "manual", { manual: true });
    await waitForReady(ns, "manual", rev);
    expect(await getJSON(["configmap", "manual-cm", "-n", ns])).toBeDefined();
  });

  it("stalls on bad YAML naming file and line, and changes or deletes nothing", async () => {
    const repoURL = await git.createRepo("bad");
    const good = await git.commit("bad", { files: { "a.yaml": configMapYAML("bad-a", { v: "1" }), "b.yaml": configMapYAML("bad-b", { v: "1" }) } });
    await applyApplication({ namespace: ns, name: "bad", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(ns, "bad", good);
    await git.commit("bad", { files: { "a.yaml": configMapYAML("bad-a", { v: "2" }), "b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-b\ndata:\n  v: [unclosed\n" } });
    const app = await waitForApp(ns, "bad", (a) => conditionOf(a, "Stalled")?.status === "True");
    const ready = conditionOf(app, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "RenderFailed" });
    expect(ready?.message).toMatch(/b\.yaml:\d+/);
    // nothing half-applied, nothing pruned
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "bad-a", "-n", ns]))?.data.v).toBe("1");
    expect(await getJSON(["configmap", "bad-b", "-n", ns])).toBeDefined();
  });

  it("reports an escaping symlink and deletes nothing", async () => {
    const repoURL = await git.createRepo("escape");
    const good = await git.commit("escape", { files: { "app/cm.yaml": configMapYAML("esc", { v: "1" }) } });
    await applyApplication({ namespace: ns, name: "escape", spec: { source: { repoURL, path: "app" }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(ns, "escape", good);
    await git.commit("escape", { files: { "app/cm.yaml": null }, symlinks: { "app/evil.yaml": "../../../../etc/passwd" } });
    const app = await waitForApp(ns, "escape", (a) => conditionOf(a, "Ready")?.reason === "RenderFailed");
    expect(conditionOf(app, "Ready")?.message).toMatch(/evil\.yaml/);
    expect(await getJSON(["configmap", "esc", "-n", ns])).toBeDefined();
  });

  it("says so when the Git server is down, deletes nothing, and recovers", async () => {
    const repoURL = await git.createRepo("down");
    const rev = await git.commit("down", { files: { "cm.yaml": configMapYAML("down-cm", { v: "1" }) } });
    await applyApplication({ namespace: ns, name: "down", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "1s", syncPolicy: { ...automated, retry: { limit: 2, backoff: { duration: "1s", factor: 1, maxDuration: "1s" } } } } });
    await waitForReady(ns, "down", rev);
    await git.setFault("down");
    try {
      const app = await waitForApp(ns, "down", (a) => conditionOf(a, "Ready")?.reason === "GitFetchFailed");
      expect(conditionOf(app, "Ready")?.message).toMatch(/refused|unavailable|connect/i);
      expect(await getJSON(["configmap", "down-cm", "-n", ns])).toBeDefined();
    } finally {
      await git.setFault(null);
    }
    await waitForReady(ns, "down", rev);
  });

  it("reports a conflict when a second Application claims an object", async () => {
    const repoURL = await git.createRepo("claim");
    const rev = await git.commit("claim", { files: { "one/cm.yaml": configMapYAML("claimed", { owner: "one" }), "two/cm.yaml": configMapYAML("claimed", { owner: "two" }) } });
    await applyApplication({ namespace: ns, name: "claim-one", spec: { source: { repoURL, path: "one" }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(ns, "claim-one", rev);
    await applyApplication({ namespace: ns, name: "claim-two", spec: { source: { repoURL, path: "two" }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated } });
    const two = await waitForApp(ns, "claim-two", (a) => conditionOf(a, "Ready")?.reason === "Conflict");
    expect(conditionOf(two, "Ready")?.message).toContain(`${ns}/claim-one`);
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "claimed", "-n", ns]))?.data.owner).toBe("one");
  });

  it("never puts a Secret's value in status, Events or logs", async () => {
    const canary = "canary-7f3b9c2e-do-not-leak";
    const repoURL = await git.createRepo("secret");
    const b64 = Buffer.from(canary).toString("base64");
    const rev = await git.commit("secret", { files: { "s.yaml": `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ntype: Opaque\ndata:\n  password: ${b64}\nstringData:\n  token: ${canary}\n` } });
    await applyApplication({ namespace: ns, name: "secret", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(ns, "secret", rev);
    const status = JSON.stringify(await getApplication(ns, "secret"));
    const events = await kubectl(["get", "events", "-n", ns, "-o", "json"]);
    const logs = op.logs.join("");
    for (const text of [status, events, logs]) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain(b64);
    }
  });
});

describe("sync with CRDs and kubectl", () => {
  it("installs a CRD and its custom resource from one commit, waiting until the CRD is Established", async () => {
    const group = `${ns.replace(/[^a-z0-9]/g, "")}.example.com`;
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`;
    const repoURL = await git.createRepo("crd");
    const rev = await git.commit("crd", { files: { "crd.yaml": crd, "widget.yaml": `apiVersion: ${group}/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n` } });
    await applyApplication({ namespace: ns, name: "crd", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(ns, "crd", rev);
    const w = await getJSON<{ spec: { size: number } }>([`widgets.${group}`, "w1", "-n", ns]);
    expect(w?.spec.size).toBe(3);
    // kubectl wait understands the Ready condition
    const out = await kubectl(["wait", "--for=condition=Ready", `applications.plumb.dev/crd`, "-n", ns, "--timeout=30s"]);
    expect(out).toContain("condition met");
    await kubectl(["delete", "crd", `widgets.${group}`, "--wait=false"]);
  });
});
