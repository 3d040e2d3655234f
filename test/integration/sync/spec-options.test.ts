import { afterAll, describe, expect, it } from "vitest";
import { applyApplication, conditionOf, configMapYAML, deploymentYAML, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import { getJSON, kubectl, waitFor } from "../../support/kube.js";
import { useTestEnvironment } from "../../support/env.js";

// The Application spec fields that change what a sync does, each against the
// real cluster: suspend, targetRevision pinned to a tag or a commit,
// ignoreDifferences, CreateNamespace=true.

const env = useTestEnvironment("spec");

const automated = { automated: { prune: true, selfHeal: true } };
const dataOf = async (name: string, ns = env.ns) => (await getJSON<{ data: Record<string, string> }>(["configmap", name, "-n", ns]))?.data;
const extraNamespaces: string[] = [];

afterAll(async () => {
  for (const ns of extraNamespaces) await kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
});

describe("Application spec options", () => {
  it("suspend: true stops syncing and healing until it is lifted", async () => {
    const repoURL = await env.git.createRepo("suspend");
    const v1 = await env.git.commit("suspend", { files: { "cm.yaml": configMapYAML("susp", { v: "1" }) } });
    const spec = { source: { repoURL }, destination: { namespace: env.ns }, interval: "1s", syncPolicy: automated };
    await applyApplication({ namespace: env.ns, name: "suspend", spec });
    await waitForReady(env.ns, "suspend", v1);
    await applyApplication({ namespace: env.ns, name: "suspend", spec: { ...spec, suspend: true } });
    await waitFor(async () => (await getApplication(env.ns, "suspend"))?.metadata.generation === 2, { what: "suspended spec stored" });
    const v2 = await env.git.commit("suspend", { files: { "cm.yaml": configMapYAML("susp", { v: "2" }) } });
    await kubectl(["patch", "configmap", "susp", "-n", env.ns, "--type=merge", "-p", '{"data":{"v":"by hand"}}']);
    // several intervals: neither the new commit nor the drift is touched
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await dataOf("susp")).toEqual({ v: "by hand" });
    expect((await getApplication(env.ns, "suspend"))?.status?.sync?.revision).toBe(v1);
    await applyApplication({ namespace: env.ns, name: "suspend", spec });
    await waitForReady(env.ns, "suspend", v2);
    expect(await dataOf("susp")).toEqual({ v: "2" });
  });

  it("targetRevision pinned to a tag or a commit ignores newer commits on the branch", async () => {
    const repoURL = await env.git.createRepo("pinned");
    const v1 = await env.git.commit("pinned", { files: { "cm.yaml": configMapYAML("pinned", { v: "1" }) } });
    await env.git.tag("pinned", { tag: "v1.0.0", message: "release 1" }); // annotated: the tag object peels to v1
    const v2 = await env.git.commit("pinned", { files: { "cm.yaml": configMapYAML("pinned", { v: "2" }) } });
    const base = { destination: { namespace: env.ns }, interval: "1s", syncPolicy: automated };
    await applyApplication({ namespace: env.ns, name: "by-tag", spec: { ...base, source: { repoURL, targetRevision: "v1.0.0", path: "." } } });
    const tagged = await waitForReady(env.ns, "by-tag", v1);
    expect(tagged.status?.sync?.revision).toBe(v1);
    expect(await dataOf("pinned")).toEqual({ v: "1" });

    // a second app pins a commit of its own repository
    const other = await env.git.createRepo("pinned-sha");
    const s1 = await env.git.commit("pinned-sha", { files: { "cm.yaml": configMapYAML("pinned-sha", { v: "1" }) } });
    await env.git.commit("pinned-sha", { files: { "cm.yaml": configMapYAML("pinned-sha", { v: "2" }) } });
    await applyApplication({ namespace: env.ns, name: "by-sha", spec: { ...base, source: { repoURL: other, targetRevision: s1 } } });
    await waitForReady(env.ns, "by-sha", s1);
    expect(await dataOf("pinned-sha")).toEqual({ v: "1" });

    // polls go by: both stay where they were pinned while main moves on
    await env.git.commit("pinned", { files: { "cm.yaml": configMapYAML("pinned", { v: "3" }) } });
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await getApplication(env.ns, "by-tag"))?.status?.sync?.revision).toBe(v1);
    expect(await dataOf("pinned")).toEqual({ v: "1" });
    expect(await dataOf("pinned-sha")).toEqual({ v: "1" });
    expect(v2).not.toBe(v1);
  });

  it("ignoreDifferences: a field someone else manages is neither drift nor reset by a later apply", async () => {
    const repoURL = await env.git.createRepo("ignore");
    const rev = await env.git.commit("ignore", { files: { "web.yaml": deploymentYAML("ign", { replicas: 1 }) } });
    const ignoreDifferences = [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }];
    await applyApplication({ namespace: env.ns, name: "ignore", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "1s", syncPolicy: automated, ignoreDifferences } });
    await waitForReady(env.ns, "ignore", rev);
    type Deployment = { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
    const live = async () => (await getJSON<Deployment>(["deployment", "ign", "-n", env.ns]))!.spec;
    // an autoscaler's change: not drift, left alone
    await kubectl(["scale", "deployment", "ign", "-n", env.ns, "--replicas=3"]);
    // a hand edit of a field Git declares: drift, healed, and the heal keeps the scale
    await kubectl(["set", "image", "deployment/ign", "-n", env.ns, "main=registry.example/web:by-hand"]);
    await waitFor(async () => (await live()).template.spec.containers[0]!.image === "registry.example/web:1", { what: "image drift healed", timeoutMs: 30_000 });
    expect((await live()).replicas).toBe(3);
    // a new commit changes the image: applied, replicas still the autoscaler's
    const dryRuns = env.op.rest.counts.DRYRUN ?? 0;
    const rev2 = await env.git.commit("ignore", { files: { "web.yaml": deploymentYAML("ign", { replicas: 1, image: "registry.example/web:2" }) } });
    const app = await waitForReady(env.ns, "ignore", rev2);
    await new Promise((r) => setTimeout(r, 4_000)); // a few polls after the apply
    // one dry-run for the changed manifest; the polls after it trust the drift memory
    expect((env.op.rest.counts.DRYRUN ?? 0) - dryRuns).toBe(1);
    expect((await live()).template.spec.containers[0]!.image).toBe("registry.example/web:2");
    expect((await live()).replicas).toBe(3);
    expect(app.status?.sync?.status).toBe("Synced");
  });

  it("deleting an Application leaves its objects in place and forgets what it remembered of them", async () => {
    const repoURL = await env.git.createRepo("gone");
    const rev = await env.git.commit("gone", { files: { "a.yaml": configMapYAML("gone-a", { v: "1" }), "b.yaml": configMapYAML("gone-b", { v: "1" }) } });
    await applyApplication({ namespace: env.ns, name: "gone", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "1s", syncPolicy: automated } });
    await waitForReady(env.ns, "gone", rev);
    await new Promise((r) => setTimeout(r, 1_500)); // a poll finds both in sync and remembers them
    const remembered = env.op.ctx.drift.size;
    await kubectl(["delete", "application", "gone", "-n", env.ns]);
    await waitFor(async () => env.op.ctx.drift.size === remembered - 2, { what: "drift memory of the deleted app forgotten", timeoutMs: 10_000 });
    // not cascading: the objects stay, as with Argo CD without its resources finalizer
    expect(await dataOf("gone-a")).toEqual({ v: "1" });
    expect(await dataOf("gone-b")).toEqual({ v: "1" });
  });

  it("CreateNamespace=true creates the destination namespace before applying into it", async () => {
    const target = `${env.ns}-made`;
    extraNamespaces.push(target);
    const repoURL = await env.git.createRepo("mkns");
    const rev = await env.git.commit("mkns", { files: { "cm.yaml": configMapYAML("in-new-ns", { v: "1" }) } });
    const spec = { source: { repoURL }, destination: { namespace: target }, interval: "2s", syncPolicy: { ...automated, syncOptions: ["CreateNamespace=true"] } };
    await applyApplication({ namespace: env.ns, name: "mkns", spec });
    await waitForReady(env.ns, "mkns", rev);
    expect(await dataOf("in-new-ns", target)).toEqual({ v: "1" });
  });

  it("without CreateNamespace=true a missing destination namespace is an error naming it, and nothing is created", async () => {
    const target = `${env.ns}-missing`;
    const repoURL = await env.git.createRepo("nons");
    await env.git.commit("nons", { files: { "cm.yaml": configMapYAML("nowhere", { v: "1" }) } });
    await applyApplication({ namespace: env.ns, name: "nons", spec: { source: { repoURL }, destination: { namespace: target }, interval: "2s", syncPolicy: automated } });
    const app = await waitForApp(env.ns, "nons", (a) => conditionOf(a, "Ready")?.reason === "ComparisonFailed");
    expect(conditionOf(app, "Ready")?.message).toContain(target);
    expect(await getJSON(["namespace", target])).toBeUndefined();
  });
});
