import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApplication, configMapYAML, deploymentYAML, waitForApp, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { leaseHolder } from "../../support/incluster.js";
import { adminRest, createNamespace, KUBECONFIG, waitFor } from "../../support/kube.js";
import { startOperatorProcess, type OperatorProcess } from "../../support/operator-process.js";

// Two (and later three) operator processes share one Lease with short
// durations (4s lease, 3s renew deadline, 1s retry). Only the holder
// reconciles; a killed leader is replaced after the Lease expires, a
// terminated one hands over at once, even in the middle of a rollout.

const rest = adminRest();
const cacheRoot = mkdtempSync(join(tmpdir(), "plumb-le-"));
const procs: OperatorProcess[] = [];
let git: GitServer;
let ns: string;
let repoURL: string;

function start(identity: string): OperatorProcess {
  const p = startOperatorProcess({
    identity,
    flags: { kubeconfig: KUBECONFIG, namespace: ns, "lease-namespace": ns, "lease-duration": "4", "renew-deadline": "3", "retry-period": "1", "cache-dir": join(cacheRoot, identity) },
  });
  procs.push(p);
  return p;
}

/** Milliseconds from now until the Lease names `identity`. */
async function handoverTo(identity: string, began: number): Promise<number> {
  await waitFor(async () => (await leaseHolder(rest, ns, "plumb-leader")) === identity, { timeoutMs: 30_000, intervalMs: 25, what: `Lease held by ${identity}` });
  return Date.now() - began;
}

const reconciles = (p: OperatorProcess) => p.count("reconciled");
const writes = (p: OperatorProcess) => p.count("applied");

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("leader");
  repoURL = await git.createRepo("web");
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  await git?.stop();
  rest.close();
  rmSync(cacheRoot, { recursive: true, force: true });
});

describe("leader election between operator processes", () => {
  let a: OperatorProcess;
  let b: OperatorProcess;

  it("lets only the Lease holder reconcile", async () => {
    a = start("op-a");
    await a.waitForLog("acquired leadership");
    b = start("op-b");
    await b.waitForLog("waiting to acquire leadership");
    const rev = await git.commit("web", { files: { "cm.yaml": configMapYAML("settings", { v: "1" }) } });
    await applyApplication({ namespace: ns, name: "web", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "1s", syncPolicy: { automated: { prune: true, selfHeal: true } } } });
    await waitForReady(ns, "web", rev);
    await new Promise((r) => setTimeout(r, 3_000)); // a few 1s polls
    console.log(`reconciles while op-a leads: op-a ${reconciles(a)}, op-b ${reconciles(b)}; writes: op-a ${writes(a)}, op-b ${writes(b)}`);
    expect(await leaseHolder(rest, ns, "plumb-leader")).toBe("op-a");
    expect(reconciles(a)).toBeGreaterThan(2);
    expect(writes(a)).toBeGreaterThan(0);
    expect(reconciles(b)).toBe(0);
    expect(writes(b)).toBe(0);
    expect(b.count("acquired leadership")).toBe(0);
    // both replicas serve the probes
    for (const p of [a, b]) {
      const url = String((await p.waitForLog("HTTP API listening")).url);
      expect((await fetch(`${url}/healthz`)).status, `${p.identity} /healthz`).toBe(200);
      expect((await fetch(`${url}/readyz`)).status, `${p.identity} /readyz`).toBe(200);
    }
  });

  it("moves leadership to the standby after the Lease expires when the leader is SIGKILLed", async () => {
    const began = Date.now();
    a.child.kill("SIGKILL");
    const ms = await handoverTo("op-b", began);
    console.log(`handover after SIGKILL of the leader: ${ms} ms (lease duration 4 s, retry period 1 s)`);
    await b.waitForLog("acquired leadership");
    const rev = await git.commit("web", { files: { "cm.yaml": configMapYAML("settings", { v: "2" }) } });
    await waitForReady(ns, "web", rev);
    expect(writes(b)).toBeGreaterThan(0);
    expect((await a.exited).signal).toBe("SIGKILL");
  });

  it("hands leadership over at once when the leader is SIGTERMed, releasing the Lease", async () => {
    const c = start("op-c");
    await c.waitForLog("waiting to acquire leadership");
    const began = Date.now();
    b.child.kill("SIGTERM");
    const ms = await handoverTo("op-c", began);
    console.log(`handover after SIGTERM of the leader: ${ms} ms`);
    expect((await b.exited).code).toBe(0);
    expect(b.count("released the lease")).toBe(1);
    await c.waitForLog("acquired leadership");
    const rev = await git.commit("web", { files: { "cm.yaml": configMapYAML("settings", { v: "3" }) } });
    await waitForReady(ns, "web", rev);
    expect(writes(c)).toBeGreaterThan(0);
  });

  it("cuts a waiting health gate short on SIGTERM, so shutdown takes seconds, not the rollout timeout", async () => {
    const c = procs.find((p) => p.identity === "op-c")!;
    const d = start("op-d");
    await d.waitForLog("waiting to acquire leadership");
    const stuckRepo = await git.createRepo("stuck");
    await git.commit("stuck", { files: { "web.yaml": deploymentYAML("stuck", { replicas: 1, podLabels: { "kwok.plumb.dev/ready": "false" } }) } });
    await applyApplication({ namespace: ns, name: "stuck", spec: { source: { repoURL: stuckRepo }, destination: { namespace: ns }, rollout: { timeout: "10m" }, syncPolicy: { automated: { prune: true, selfHeal: true } } } });
    await waitForApp(ns, "stuck", (app) => /waiting for/.test(app.status?.health?.message ?? ""), { what: "stuck rollout waiting on its health gate" });
    const began = Date.now();
    c.child.kill("SIGTERM");
    const exit = await Promise.race([c.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 60_000))]);
    const ms = Date.now() - began;
    console.log(`SIGTERM during a health gate (rollout timeout 10m): leader exited after ${ms} ms`);
    expect(exit?.code).toBe(0);
    expect(c.count("released the lease")).toBe(1);
    const handover = await handoverTo("op-d", began);
    console.log(`handover after SIGTERM during a rollout: ${handover} ms`);
  });
});
