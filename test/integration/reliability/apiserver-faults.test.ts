import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Application } from "../../../src/model/application.js";
import { applyApplication, configMapYAML, deploymentYAML, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace, getJSON, kubectl, REPO, waitFor } from "../../support/kube.js";
import { RESTART_APISERVER, startApiProxy, startPlumb, type ApiProxy, type PlumbProcess } from "./harness.js";

// The API server goes away while the operator idles and while it syncs.
// `make test` cuts the operator off through a proxy of its own (refused
// connections, then a black hole that accepts and never answers), which
// leaves the cluster to the other tests; `make test-full` also stops and
// restarts the real kube-apiserver. Afterwards the watches must resume,
// drift made meanwhile (live edits, a deleted object, a Git commit) must be
// corrected, and nothing the operator should keep may be lost.

const run = promisify(execFile);
const CLUSTER = join(REPO, "hack/cluster/cluster.sh");

let git: GitServer;
let proxy: ApiProxy;
let op: PlumbProcess;
let ns: string;

beforeAll(async () => {
  git = await startGitServer();
  proxy = await startApiProxy();
  ns = await createNamespace("apifault");
  op = await startPlumb({ namespace: ns, flags: { kubeconfig: proxy.kubeconfig } });
  console.log(`operator: ${op.build}`);
});

afterAll(async () => {
  await op?.stop();
  await proxy?.close();
  await git?.stop();
});

const automated = { automated: { prune: true, selfHeal: true } };
const retry = { limit: 100, backoff: { duration: "1s", factor: 2, maxDuration: "5s" } };

interface Obj {
  metadata: { uid: string; resourceVersion: string };
  data?: Record<string, string>;
}

async function cm(name: string): Promise<Obj | undefined> {
  return getJSON<Obj>(["configmap", name, "-n", ns]);
}

/**
 * One outage, whatever causes it: while the operator cannot reach the API
 * server, Git moves (cm-0 changes, cm-4 goes, cm-5 comes) and someone edits
 * cm-1 and deletes cm-2 by hand; cm-3 and the Deployment stay untouched.
 * After the outage all of it must be corrected within the interval (plus the
 * retry backoff), and the watches must work again.
 */
async function idleOutage(name: string, outage: { begin: () => Promise<void>; end: () => Promise<void>; liveEditsAfter?: boolean }): Promise<void> {
  const repoURL = await git.createRepo(name);
  const files: Record<string, string> = { "web.yaml": deploymentYAML(`${name}-web`, { replicas: 1 }) };
  for (let i = 0; i < 5; i++) files[`cm-${i}.yaml`] = configMapYAML(`${name}-${i}`, { v: "1" });
  const rev = await git.commit(name, { files });
  await applyApplication({ namespace: ns, name, spec: { source: { repoURL }, destination: { namespace: ns }, interval: "20s", syncPolicy: { ...automated, retry } } });
  await waitForReady(ns, name, rev);
  const before = { cm3: await cm(`${name}-3`), web: await getJSON<Obj>(["deployment", `${name}-web`, "-n", ns]) };

  const liveEdits = async () => {
    await kubectl(["patch", "configmap", `${name}-1`, "-n", ns, "--type=merge", "-p", '{"data":{"v":"edited by hand"}}']);
    await kubectl(["delete", "configmap", `${name}-2`, "-n", ns]);
  };
  await outage.begin();
  let rev2: string;
  try {
    rev2 = await git.commit(name, { files: { "cm-0.yaml": configMapYAML(`${name}-0`, { v: "2" }), "cm-4.yaml": null, "cm-5.yaml": configMapYAML(`${name}-5`, { v: "1" }) } });
    if (!outage.liveEditsAfter) await liveEdits();
    await new Promise((r) => setTimeout(r, 8_000));
    expect(op.child.exitCode).toBeNull(); // still running
  } finally {
    await outage.end();
  }
  const restored = Date.now();
  // a stopped API server takes no edits: make them the moment it is back, before the operator's watches are
  if (outage.liveEditsAfter) await liveEdits();
  await waitForReady(ns, name, rev2, 60_000);
  await waitFor(async () => (await cm(`${name}-1`))?.data?.v === "1" && (await cm(`${name}-2`)) !== undefined && (await cm(`${name}-4`)) === undefined, { timeoutMs: 30_000, what: "drift corrected" });
  const correctedMs = Date.now() - restored;
  expect((await cm(`${name}-0`))?.data?.v).toBe("2");
  expect((await cm(`${name}-5`))?.data?.v).toBe("1");
  const cm3 = await cm(`${name}-3`);
  expect({ uid: cm3?.metadata.uid, rv: cm3?.metadata.resourceVersion }).toEqual({ uid: before.cm3?.metadata.uid, rv: before.cm3?.metadata.resourceVersion });
  expect((await getJSON<Obj>(["deployment", `${name}-web`, "-n", ns]))?.metadata.uid).toBe(before.web?.metadata.uid);
  const app = (await getApplication(ns, name))!;
  expect((app.status?.resources ?? []).map((r) => r.name).sort()).toEqual([`${name}-0`, `${name}-1`, `${name}-2`, `${name}-3`, `${name}-5`, `${name}-web`]);

  // the watches are back: a live edit heals before the next poll, and a spec change is seen at once
  const healStart = Date.now();
  await kubectl(["patch", "configmap", `${name}-3`, "-n", ns, "--type=merge", "-p", '{"data":{"v":"edited again"}}']);
  await waitFor(async () => (await cm(`${name}-3`))?.data?.v === "1", { timeoutMs: 15_000, what: "live edit healed through the watch" });
  const healMs = Date.now() - healStart;
  await applyApplication({ namespace: ns, name, spec: { source: { repoURL }, destination: { namespace: ns }, interval: "21s", syncPolicy: { ...automated, retry } } });
  const generation = (await getApplication(ns, name))!.metadata.generation;
  await waitForApp(ns, name, (a: Application) => a.status?.observedGeneration === generation, { timeoutMs: 15_000, what: "spec change seen through the Application watch" });
  console.log(`${name}: Git change and drift corrected ${correctedMs} ms after the API server came back; a later live edit healed in ${healMs} ms (watch resumed)`);
}

/** A 32-object sync that loses the API server after five writes and must complete afterwards. */
async function midSync(name: string, outage: { begin: () => Promise<void>; end: () => Promise<void> }): Promise<void> {
  const repoURL = await git.createRepo(name);
  const rev = await git.commit(name, { files: { "cm.yaml": configMapYAML(`${name}-seed`, { v: "1" }) } });
  await applyApplication({ namespace: ns, name, spec: { source: { repoURL }, destination: { namespace: ns }, interval: "2s", syncPolicy: { ...automated, retry } } });
  await waitForReady(ns, name, rev);
  const files: Record<string, string> = { "web.yaml": deploymentYAML(`${name}-web`, { replicas: 2, annotations: { "plumb.dev/sync-wave": "1" } }) };
  for (let i = 0; i < 30; i++) files[`many/cm-${i}.yaml`] = configMapYAML(`${name}-${i}`, { v: "1" });
  const mark = op.logs.length;
  const rev2 = await git.commit(name, { files });
  await waitFor(() => op.count("applied", mark) >= 5, { timeoutMs: 60_000, intervalMs: 5, what: "5 writes" });
  await outage.begin();
  try {
    await new Promise((r) => setTimeout(r, 6_000));
  } finally {
    await outage.end();
  }
  const app = await waitForReady(ns, name, rev2, 90_000);
  expect(app.status?.resources).toHaveLength(32);
  expect(app.status?.operationState?.phase).toBe("Succeeded");
  const live = (await kubectl(["get", "configmaps", "-n", ns, "-l", `plumb.dev/application=${name}`, "-o", "name"])).trim().split("\n");
  expect(live).toHaveLength(31);
}

describe("API server faults", () => {
  it("idle: refused connections, then everything made meanwhile is corrected and the watches resume", async () => {
    await idleOutage("refused", { begin: () => proxy.setMode("refuse"), end: () => proxy.setMode("up") });
  });

  it("idle: a black hole (accepts, never answers), then everything is corrected", async () => {
    await idleOutage("blackhole", { begin: () => proxy.setMode("blackhole"), end: () => proxy.setMode("up") });
  });

  it("during a sync: the connection dies after a few writes, the sync completes afterwards", async () => {
    await midSync("midsync", { begin: () => proxy.setMode("refuse"), end: () => proxy.setMode("up") });
  });

  it("an object deleted while a rollout waits on its wave is recreated at once, not after the rollout timeout", async () => {
    // what a reconcile planned from a stale cache meets after an API server restart, made deterministic
    const name = "vanish";
    const repoURL = await git.createRepo(name);
    const hung = deploymentYAML(`${name}-web`, { replicas: 1, podLabels: { "kwok.plumb.dev/ready": "false" } });
    const rev = await git.commit(name, { files: { "cm.yaml": configMapYAML(`${name}-cm`, { v: "1" }), "web.yaml": deploymentYAML(`${name}-web`, { replicas: 1 }) } });
    await applyApplication({ namespace: ns, name, spec: { source: { repoURL }, destination: { namespace: ns }, interval: "1h", syncPolicy: automated, rollout: { timeout: "10m" } } });
    await waitForReady(ns, name, rev);
    const before = (await cm(`${name}-cm`))!.metadata.uid;
    const mark = op.logs.length;
    await git.commit(name, { files: { "web.yaml": hung } });
    await applyApplication({ namespace: ns, name, spec: { source: { repoURL }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated, rollout: { timeout: "10m" } } });
    await waitFor(() => op.logs.slice(mark).some((l) => l.msg === "applied" && String(l.key).endsWith(`/${name}-web`)), { what: "the hung rollout applied" });
    await kubectl(["delete", "configmap", `${name}-cm`, "-n", ns]);
    const recreated = await waitFor(async () => (await cm(`${name}-cm`))?.metadata.uid, { timeoutMs: 20_000, what: "the deleted ConfigMap recreated during the rollout" });
    expect(recreated).not.toBe(before);
    const fixed = await git.commit(name, { files: { "web.yaml": deploymentYAML(`${name}-web`, { replicas: 1, image: "registry.example/web:2" }) } });
    await waitForReady(ns, name, fixed);
  });

  describe.skipIf(!RESTART_APISERVER)("the real kube-apiserver (make test-full, in a run of its own: the whole cluster feels it)", () => {
    const apiserver = async (action: "stop" | "start") => void (await run(CLUSTER, [action, "kube-apiserver"], { timeout: 120_000 }));
    it("idle: kube-apiserver stopped and restarted; everything is corrected and the watches resume", async () => {
      await idleOutage("restart", { begin: () => apiserver("stop"), end: () => apiserver("start"), liveEditsAfter: true }).finally(() => apiserver("start").catch(() => undefined));
    });

    it("during a sync: kube-apiserver stopped after a few writes and restarted; the sync completes", async () => {
      await midSync("midrestart", { begin: () => apiserver("stop"), end: () => apiserver("start") }).finally(() => apiserver("start").catch(() => undefined));
    });
  });
});
