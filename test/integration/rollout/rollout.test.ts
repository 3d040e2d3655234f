import { describe, expect, it } from "vitest";
import type { Application } from "../../../src/model/application.js";
import { applyApplication, conditionOf, configMapYAML, deploymentYAML, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import { getJSON, kubectl } from "../../support/kube.js";
import { useTestEnvironment } from "../../support/env.js";

// Health-gated rollouts on the real cluster; KWOK pod labels make rollouts
// hang (kwok.plumb.dev/ready=false) or crash (kwok.plumb.dev/crash=true).

const env = useTestEnvironment("rollout");

const automated = { automated: { prune: true, selfHeal: true } };

/** Samples an app's health every 100 ms until `until` holds; returns the distinct statuses seen. */
async function healthTimeline(name: string, until: (a: Application) => boolean, timeoutMs = 90_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const app = await getApplication(env.ns, name);
    const h = app?.status?.health?.status;
    if (h && seen.at(-1) !== h) seen.push(h);
    if (app && until(app)) return seen;
    if (Date.now() > deadline) throw new Error(`timeline of ${name} never ended: ${seen.join(" → ")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function image(name: string): Promise<string | undefined> {
  const d = await getJSON<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(["deployment", name, "-n", env.ns]);
  return d?.spec.template.spec.containers[0]?.image;
}

describe("rollouts", () => {
  it("rolls an image change out, Progressing then Healthy", async () => {
    const repoURL = await env.git.createRepo("roll");
    const v1 = await env.git.commit("roll", { files: { "web.yaml": deploymentYAML("roll", { replicas: 4, image: "registry.example/web:1", minReadySeconds: 2 }) } });
    await applyApplication({ namespace: env.ns, name: "roll", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "1s", syncPolicy: automated, rollout: { timeout: "2m" } } });
    await waitForReady(env.ns, "roll", v1);
    const v2 = await env.git.commit("roll", { files: { "web.yaml": deploymentYAML("roll", { replicas: 4, image: "registry.example/web:2", minReadySeconds: 2 }) } });
    const seen = await healthTimeline("roll", (a) => a.status?.sync?.revision === v2 && conditionOf(a, "Ready")?.status === "True");
    expect(seen).toContain("Progressing");
    expect(seen.at(-1)).toBe("Healthy");
    expect(await image("roll")).toBe("registry.example/web:2");
    const app = await getApplication(env.ns, "roll");
    expect(app?.status?.lastHealthyRevision).toBe(v2);
    expect(app?.status?.history?.[0]).toMatchObject({ revision: v2, health: "Healthy" });
  });

  it("ends a rollout whose pods never turn Ready Degraded with ProgressDeadlineExceeded", async () => {
    const repoURL = await env.git.createRepo("hang");
    const v1 = await env.git.commit("hang", { files: { "web.yaml": deploymentYAML("hang", { replicas: 1, progressDeadlineSeconds: 8 }) } });
    await applyApplication({ namespace: env.ns, name: "hang", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated, rollout: { timeout: "2m" } } });
    await waitForReady(env.ns, "hang", v1);
    await env.git.commit("hang", { files: { "web.yaml": deploymentYAML("hang", { replicas: 1, progressDeadlineSeconds: 8, image: "registry.example/web:bad", podLabels: { "kwok.plumb.dev/ready": "false" } }) } });
    const app = await waitForApp(env.ns, "hang", (a) => conditionOf(a, "Ready")?.reason === "HealthCheckFailed");
    expect(app.status?.health?.status).toBe("Degraded");
    expect(conditionOf(app, "Ready")?.message).toMatch(/ProgressDeadlineExceeded|progress deadline/i);
    expect(app.status?.operationState?.phase).toBe("Failed");
    const events = await kubectl(["get", "events", "-n", env.ns, "--field-selector", "involvedObject.name=hang,type=Warning", "-o", "jsonpath={.items[*].reason}"]);
    expect(events).toContain("HealthCheckFailed");
    // no autoRollback: the failed template stays
    expect(await image("hang")).toBe("registry.example/web:bad");
  });

  it("rolls back to the last healthy revision by itself and says so", async () => {
    const repoURL = await env.git.createRepo("back");
    const good = await env.git.commit("back", { files: { "web.yaml": deploymentYAML("back", { replicas: 2, progressDeadlineSeconds: 8, image: "registry.example/web:good" }) } });
    await applyApplication({ namespace: env.ns, name: "back", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated, rollout: { timeout: "2m", autoRollback: true } } });
    await waitForReady(env.ns, "back", good);
    const bad = await env.git.commit("back", { files: { "web.yaml": deploymentYAML("back", { replicas: 2, progressDeadlineSeconds: 8, image: "registry.example/web:bad", podLabels: { "kwok.plumb.dev/ready": "false" } }) } });
    const app = await waitForApp(env.ns, "back", (a) => conditionOf(a, "Ready")?.reason === "RolledBack" && a.status?.health?.status === "Healthy", { timeoutMs: 120_000 });
    expect(app.status?.sync?.revision).toBe(good);
    expect(app.status?.failedRevision).toBe(bad);
    expect(app.status?.history?.[0]).toMatchObject({ revision: good, trigger: "Rollback" });
    expect(await image("back")).toBe("registry.example/web:good");
    const events = await kubectl(["get", "events", "-n", env.ns, "--field-selector", "involvedObject.name=back", "-o", "jsonpath={.items[*].reason}"]);
    expect(events).toContain("RolledBack");
    // the failed revision is not re-applied on later polls
    await new Promise((r) => setTimeout(r, 5000));
    expect(await image("back")).toBe("registry.example/web:good");
    // a newer commit is applied at once
    const fix = await env.git.commit("back", { files: { "web.yaml": deploymentYAML("back", { replicas: 2, progressDeadlineSeconds: 8, image: "registry.example/web:fix" }) } });
    await waitForReady(env.ns, "back", fix);
    expect(await image("back")).toBe("registry.example/web:fix");
  });

  it("marks an app with a CrashLoopBackOff pod Degraded", async () => {
    const repoURL = await env.git.createRepo("crash");
    await env.git.commit("crash", { files: { "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crasher\n  labels:\n    kwok.plumb.dev/crash: \"true\"\nspec:\n  containers:\n    - name: main\n      image: registry.example/crash:1\n" } });
    await applyApplication({ namespace: env.ns, name: "crash", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated, rollout: { timeout: "1m" } } });
    const app = await waitForApp(env.ns, "crash", (a) => a.status?.health?.status === "Degraded");
    expect(app.status?.health?.message).toMatch(/CrashLoopBackOff/);
  });

  it("does not apply wave 1 before wave 0 is Healthy", async () => {
    const repoURL = await env.git.createRepo("waves");
    await env.git.commit("waves", {
      files: {
        "w0.yaml": deploymentYAML("wave0", { replicas: 1, podLabels: { "kwok.plumb.dev/ready": "false" }, annotations: { "plumb.dev/sync-wave": "0" } }),
        "w1.yaml": configMapYAML("wave1", { after: "wave0" }, "  annotations:\n    plumb.dev/sync-wave: \"1\"\n"),
      },
    });
    await applyApplication({ namespace: env.ns, name: "waves", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated, rollout: { timeout: "6s" } } });
    const waiting = await waitForApp(env.ns, "waves", (a) => a.status?.health?.status === "Progressing" && /waiting/.test(a.status.health.message ?? ""));
    expect(waiting.status?.health?.message).toMatch(/wave 0/);
    expect(await getJSON(["deployment", "wave0", "-n", env.ns])).toBeDefined();
    expect(await getJSON(["configmap", "wave1", "-n", env.ns])).toBeUndefined();
    const failed = await waitForApp(env.ns, "waves", (a) => conditionOf(a, "Ready")?.reason === "HealthCheckFailed");
    expect(conditionOf(failed, "Ready")?.message).toMatch(/within 6s/);
    expect(await getJSON(["configmap", "wave1", "-n", env.ns])).toBeUndefined();
  });

  it("applies a newer commit pushed during a hung rollout without waiting for the timeout", async () => {
    const repoURL = await env.git.createRepo("supersede");
    const v1 = await env.git.commit("supersede", { files: { "web.yaml": deploymentYAML("sup", { replicas: 1 }) } });
    await applyApplication({ namespace: env.ns, name: "supersede", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated, rollout: { timeout: "10m" } } });
    expect((await waitForReady(env.ns, "supersede", v1)).status?.operationState?.finishedAt).toBeDefined();
    await env.git.commit("supersede", { files: { "web.yaml": deploymentYAML("sup", { replicas: 1, image: "registry.example/web:hang", podLabels: { "kwok.plumb.dev/ready": "false" } }) } });
    const hung = await waitForApp(env.ns, "supersede", (a) => a.status?.health?.status === "Progressing");
    // the running operation is its own, not the finished one's with a new phase
    expect(hung.status?.operationState).toMatchObject({ phase: "Running" });
    expect(hung.status?.operationState?.finishedAt).toBeUndefined();
    const t0 = Date.now();
    const fix = await env.git.commit("supersede", { files: { "web.yaml": deploymentYAML("sup", { replicas: 1, image: "registry.example/web:fix" }) } });
    await waitForReady(env.ns, "supersede", fix, 60_000);
    console.log(`newer commit during a hung rollout (10m timeout) Ready after ${Date.now() - t0} ms`);
    expect(await image("sup")).toBe("registry.example/web:fix");
  });
});
