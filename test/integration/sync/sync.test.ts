import { describe, expect, it } from "vitest";
import { applyApplication, widgetCRDYAML, conditionOf, configMapYAML, deploymentYAML, getApplication, serviceYAML, waitForApp, waitForReady } from "../../support/apps.js";
import { getJSON, kubectl, waitFor } from "../../support/kube.js";
import { useTestEnvironment } from "../../support/env.js";

// The core loop against the real cluster and a real Git server: a push
// becomes live, changes and removals follow, drift heals, and failures
// never delete anything.

const env = useTestEnvironment("sync");

const automated = { automated: { prune: true, selfHeal: true } };

describe("sync", () => {
  it("applies a first commit, follows a change and prunes a removed file", async () => {
    const repoURL = await env.git.createRepo("basic");
    const first = await env.git.commit("basic", {
      files: {
        "app/web.yaml": deploymentYAML("web"),
        "app/svc.yaml": serviceYAML("web"),
        "app/settings.yaml": configMapYAML("settings", { color: "blue" }),
        "app/extra.yaml": configMapYAML("extra", { a: "1" }),
        "README.md": "not a manifest",
      },
    });
    const t0 = Date.now();
    await applyApplication({ namespace: env.ns, name: "basic", spec: { source: { repoURL, path: "app" }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    const ready = await waitForReady(env.ns, "basic", first);
    console.log(`push→Ready (first sync, polling): ${Date.now() - t0} ms`);
    expect(ready.status?.sync?.status).toBe("Synced");
    expect(ready.status?.health?.status).toBe("Healthy");
    expect(ready.status?.resources?.map((r) => `${r.kind}/${r.name}`).sort()).toEqual(["ConfigMap/extra", "ConfigMap/settings", "Deployment/web", "Service/web"]);
    const cm = await getJSON<{ metadata: { labels: Record<string, string>; annotations: Record<string, string> } }>(["configmap", "settings", "-n", env.ns]);
    expect(cm?.metadata.labels["plumb.dev/application"]).toBe("basic");
    expect(cm?.metadata.annotations["plumb.dev/tracking-id"]).toBe(`${env.ns}/basic:/ConfigMap:${env.ns}/settings`);
    expect(ready.status?.history?.[0]).toMatchObject({ id: 1, revision: first, trigger: "Automated" });

    const second = await env.git.commit("basic", { files: { "app/settings.yaml": configMapYAML("settings", { color: "green" }), "app/extra.yaml": null } });
    const t1 = Date.now();
    const after = await waitForReady(env.ns, "basic", second);
    console.log(`push→Ready (change + prune, polling 2s): ${Date.now() - t1} ms`);
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "settings", "-n", env.ns]))?.data.color).toBe("green");
    await waitFor(async () => (await getJSON(["configmap", "extra", "-n", env.ns])) === undefined, { what: "extra pruned" });
    expect(after.status?.resources?.some((r) => r.name === "extra")).toBe(false);
    expect(after.status?.history?.map((h) => h.revision)).toEqual([second, first]);
    const events = await kubectl(["get", "events", "-n", env.ns, "--field-selector", "involvedObject.name=basic", "-o", "jsonpath={.items[*].reason}"]);
    expect(events).toContain("Synced");
    expect(events).toContain("Pruned");
  });

  it("heals live drift", async () => {
    const repoURL = await env.git.createRepo("heal");
    const rev = await env.git.commit("heal", { files: { "cm.yaml": configMapYAML("healme", { mode: "git" }) } });
    await applyApplication({ namespace: env.ns, name: "heal", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "30s", syncPolicy: automated } });
    await waitForReady(env.ns, "heal", rev);
    await kubectl(["patch", "configmap", "healme", "-n", env.ns, "--type=merge", "-p", '{"data":{"mode":"hand-edited"}}']);
    await waitFor(async () => (await getJSON<{ data: Record<string, string> }>(["configmap", "healme", "-n", env.ns]))?.data.mode === "git", { what: "drift healed", timeoutMs: 20_000 });
  });

  it("only reports OutOfSync for a manual app and applies nothing", async () => {
    const repoURL = await env.git.createRepo("manual");
    const rev = await env.git.commit("manual", { files: { "cm.yaml": configMapYAML("manual-cm", { a: "b" }) } });
    await applyApplication({ namespace: env.ns, name: "manual", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s" } });
    const app = await waitForApp(env.ns, "manual", (a) => a.status?.sync?.status === "OutOfSync");
    expect(conditionOf(app, "Ready")).toMatchObject({ status: "False", reason: "OutOfSync" });
    expect(app.status?.health?.status).toBe("Missing");
    expect(app.status?.sync?.revision).toBe(rev);
    expect(await getJSON(["configmap", "manual-cm", "-n", env.ns])).toBeUndefined();
    env.op.controller.request(env.ns, "manual", { manual: true });
    await waitForReady(env.ns, "manual", rev);
    expect(await getJSON(["configmap", "manual-cm", "-n", env.ns])).toBeDefined();
  });

  it("creates nothing of a new app when the API server refuses one of its objects", async () => {
    const repoURL = await env.git.createRepo("refused");
    const badService = "apiVersion: v1\nkind: Service\nmetadata:\n  name: refused-svc\nspec:\n  ports:\n    - port: 99999\n";
    await env.git.commit("refused", { files: { "a.yaml": configMapYAML("refused-a", { v: "1" }), "z.yaml": badService } });
    await applyApplication({ namespace: env.ns, name: "refused", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    const app = await waitForApp(env.ns, "refused", (a) => conditionOf(a, "Ready")?.reason === "ComparisonFailed");
    expect(conditionOf(app, "Ready")?.message).toMatch(/refused-svc \(z\.yaml:1\).*99999/);
    // validated by a dry-run before any write: the valid ConfigMap was not created either
    expect(await getJSON(["configmap", "refused-a", "-n", env.ns])).toBeUndefined();
  });

  it("stalls on bad YAML naming file and line, and changes or deletes nothing", async () => {
    const repoURL = await env.git.createRepo("bad");
    const good = await env.git.commit("bad", { files: { "a.yaml": configMapYAML("bad-a", { v: "1" }), "b.yaml": configMapYAML("bad-b", { v: "1" }) } });
    await applyApplication({ namespace: env.ns, name: "bad", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(env.ns, "bad", good);
    await env.git.commit("bad", { files: { "a.yaml": configMapYAML("bad-a", { v: "2" }), "b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-b\ndata:\n  v: [unclosed\n" } });
    const app = await waitForApp(env.ns, "bad", (a) => conditionOf(a, "Stalled")?.status === "True");
    const ready = conditionOf(app, "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "RenderFailed" });
    expect(ready?.message).toMatch(/b\.yaml:\d+/);
    // nothing half-applied, nothing pruned
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "bad-a", "-n", env.ns]))?.data.v).toBe("1");
    expect(await getJSON(["configmap", "bad-b", "-n", env.ns])).toBeDefined();
  });

  it("reports an escaping symlink and deletes nothing", async () => {
    const repoURL = await env.git.createRepo("escape");
    const good = await env.git.commit("escape", { files: { "app/cm.yaml": configMapYAML("esc", { v: "1" }) } });
    await applyApplication({ namespace: env.ns, name: "escape", spec: { source: { repoURL, path: "app" }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(env.ns, "escape", good);
    await env.git.commit("escape", { files: { "app/cm.yaml": null }, symlinks: { "app/evil.yaml": "../../../../etc/passwd" } });
    const app = await waitForApp(env.ns, "escape", (a) => conditionOf(a, "Ready")?.reason === "RenderFailed");
    expect(conditionOf(app, "Ready")?.message).toMatch(/evil\.yaml/);
    expect(await getJSON(["configmap", "esc", "-n", env.ns])).toBeDefined();
  });

  it("says so when the Git server is down, deletes nothing, and recovers", async () => {
    const repoURL = await env.git.createRepo("down");
    const rev = await env.git.commit("down", { files: { "cm.yaml": configMapYAML("down-cm", { v: "1" }) } });
    await applyApplication({ namespace: env.ns, name: "down", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "1s", syncPolicy: { ...automated, retry: { limit: 2, backoff: { duration: "1s", factor: 1, maxDuration: "1s" } } } } });
    await waitForReady(env.ns, "down", rev);
    await env.git.setFault("down");
    try {
      const app = await waitForApp(env.ns, "down", (a) => conditionOf(a, "Ready")?.reason === "GitFetchFailed");
      expect(conditionOf(app, "Ready")?.message).toMatch(/refused|unavailable|connect|reset|socket hang up/i);
      expect(await getJSON(["configmap", "down-cm", "-n", env.ns])).toBeDefined();
    } finally {
      await env.git.setFault(null);
    }
    await waitForReady(env.ns, "down", rev);
  });

  it("reports a conflict when a second Application claims an object", async () => {
    const repoURL = await env.git.createRepo("claim");
    const rev = await env.git.commit("claim", { files: { "one/cm.yaml": configMapYAML("claimed", { owner: "one" }), "two/cm.yaml": configMapYAML("claimed", { owner: "two" }) } });
    await applyApplication({ namespace: env.ns, name: "claim-one", spec: { source: { repoURL, path: "one" }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(env.ns, "claim-one", rev);
    await applyApplication({ namespace: env.ns, name: "claim-two", spec: { source: { repoURL, path: "two" }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    const two = await waitForApp(env.ns, "claim-two", (a) => conditionOf(a, "Ready")?.reason === "Conflict");
    expect(conditionOf(two, "Ready")?.message).toContain(`${env.ns}/claim-one`);
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "claimed", "-n", env.ns]))?.data.owner).toBe("one");
  });

  it("never puts a Secret's value in status, Events or logs", async () => {
    const canary = "canary-7f3b9c2e-do-not-leak";
    const repoURL = await env.git.createRepo("secret");
    const b64 = Buffer.from(canary).toString("base64");
    const rev = await env.git.commit("secret", { files: { "s.yaml": `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ntype: Opaque\ndata:\n  password: ${b64}\nstringData:\n  token: ${canary}\n` } });
    await applyApplication({ namespace: env.ns, name: "secret", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(env.ns, "secret", rev);
    const status = JSON.stringify(await getApplication(env.ns, "secret"));
    const events = await kubectl(["get", "events", "-n", env.ns, "-o", "json"]);
    const logs = env.op.logs.join("");
    for (const text of [status, events, logs]) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain(b64);
    }
  });
});

describe("sync with CRDs and kubectl", () => {
  it("installs a CRD and its custom resource from one commit, waiting until the CRD is Established", async () => {
    const group = `${env.ns.replace(/[^a-z0-9]/g, "")}.example.com`;
    const crd = widgetCRDYAML(group);
    const repoURL = await env.git.createRepo("crd");
    const rev = await env.git.commit("crd", { files: { "crd.yaml": crd, "widget.yaml": `apiVersion: ${group}/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n` } });
    await applyApplication({ namespace: env.ns, name: "crd", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(env.ns, "crd", rev);
    const w = await getJSON<{ spec: { size: number } }>([`widgets.${group}`, "w1", "-n", env.ns]);
    expect(w?.spec.size).toBe(3);
    // kubectl wait understands the Ready condition
    const out = await kubectl(["wait", "--for=condition=Ready", `applications.plumb.dev/crd`, "-n", env.ns, "--timeout=30s"]);
    expect(out).toContain("condition met");
    await kubectl(["delete", "crd", `widgets.${group}`, "--wait=false"]);
  });
});
