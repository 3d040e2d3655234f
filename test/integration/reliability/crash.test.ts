import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Application } from "../../../src/model/application.js";
import { applyApplication, configMapYAML, deploymentYAML, serviceYAML, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace, getJSON, kubectl, waitFor } from "../../support/kube.js";
import { FULL, freshCacheDir, startPlumb, type PlumbProcess } from "./harness.js";

// Crash consistency: `plumb operator` is SIGKILLed at a random write of a
// 50-object sync (waves, Deployments behind health gates, prunes), restarted
// on the same Git cache, and must converge: every object Git has exists
// exactly once, nothing Git still has was deleted (uids survive), the
// inventory in status equals Git, and objects applied by a sync that died
// before recording them are still pruned once Git drops them.

const RUNS = Number(process.env.PLUMB_CRASH_RUNS) || (FULL ? 20 : 3);
const APP = "crashy";

let git: GitServer;
beforeAll(async () => {
  git = await startGitServer();
});
afterAll(async () => {
  await git?.stop();
});

const wave = (n: number) => `  annotations:\n    plumb.dev/sync-wave: "${n}"\n`;
const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, "0")}`);

/** The files of a commit: path → manifest. */
type Tree = Record<string, string>;

/** 50 objects: wave -1 and 0 ConfigMaps and Services, wave 1 Deployments, wave 2 ConfigMaps. */
function treeA(): Tree {
  const t: Tree = {};
  for (const n of range(5, "pre-")) t[`app/pre/${n}.yaml`] = configMapYAML(n, { v: "a" }, wave(-1));
  for (const n of range(20, "cm-")) t[`app/cm/${n}.yaml`] = configMapYAML(n, { v: "a" });
  for (const n of range(5, "web-")) {
    t[`app/web/${n}.yaml`] = `${deploymentYAML(n, { replicas: 1, annotations: { "plumb.dev/sync-wave": "1" } })}---\n${serviceYAML(n)}`;
  }
  for (const n of range(5, "svc-")) t[`app/svc/${n}.yaml`] = serviceYAML(n);
  for (const n of range(10, "post-")) t[`app/post/${n}.yaml`] = configMapYAML(n, { v: "a" }, wave(2));
  return t;
}

/** B: 10 changed, 15 removed (pruned), 15 added, two Deployments roll out a new image. */
function treeB(): Tree {
  const t = treeA();
  for (const n of range(10, "cm-")) t[`app/cm/${n}.yaml`] = configMapYAML(n, { v: "b" });
  for (const n of range(20, "cm-").slice(10)) delete t[`app/cm/${n}.yaml`];
  for (const n of range(10, "post-").slice(5)) delete t[`app/post/${n}.yaml`];
  for (const n of range(12, "new-")) t[`app/new/${n}.yaml`] = configMapYAML(n, { v: "b" }, wave(n.endsWith("1") ? 2 : 0));
  t["app/web/web-05.yaml"] = `${deploymentYAML("web-05", { replicas: 1, annotations: { "plumb.dev/sync-wave": "1" } })}---\n${serviceYAML("web-05")}`;
  t["app/svc/svc-new.yaml"] = serviceYAML("svc-new");
  for (const n of ["web-00", "web-01"]) {
    t[`app/web/${n}.yaml`] = `${deploymentYAML(n, { replicas: 1, image: "registry.example/web:2", annotations: { "plumb.dev/sync-wave": "1" } })}---\n${serviceYAML(n)}`;
  }
  return t;
}

/** C: B without what B added, so objects applied by an interrupted sync of B must be pruned. */
function treeC(): Tree {
  const t = treeB();
  for (const k of Object.keys(t)) if (k.startsWith("app/new/") || k.includes("web-05") || k.includes("svc-new")) delete t[k];
  return t;
}

/** `Kind/name` of every object in a tree. */
function keysOf(t: Tree): string[] {
  const keys: string[] = [];
  for (const text of Object.values(t)) {
    for (const doc of text.split(/^---$/m)) {
      const kind = /^kind: (\S+)/m.exec(doc)?.[1];
      const name = /^ {2}name: (\S+)/m.exec(doc)?.[1];
      if (kind && name) keys.push(`${kind}/${name}`);
    }
  }
  return keys.sort();
}

/** Commit `next` over `prev` (deleting files it dropped). */
function diffFiles(prev: Tree, next: Tree): Record<string, string | null> {
  const files: Record<string, string | null> = { ...next };
  for (const k of Object.keys(prev)) if (!(k in next)) files[k] = null;
  return files;
}

interface Live {
  kind: string;
  metadata: { name: string; uid: string; annotations?: Record<string, string> };
}

/** Every object of the app's kinds in the namespace that carries the app's label. */
async function liveObjects(ns: string): Promise<Live[]> {
  const list = await getJSON<{ items: Live[] }>(["configmaps,services,deployments", "-n", ns, "-l", `plumb.dev/application=${APP}`]);
  return list?.items ?? [];
}

/** The state must equal `tree` exactly; returns uids by key. */
async function expectConverged(ns: string, tree: Tree, revision: string, label: string): Promise<Map<string, string>> {
  const app: Application = await waitForReady(ns, APP, revision, 150_000).catch(async (err: Error) => {
    const now = await getJSON<Application>(["applications.plumb.dev", APP, "-n", ns]);
    throw new Error(`${label}: ${err.message}; status: ${JSON.stringify({ sync: now?.status?.sync, conditions: now?.status?.conditions, op: now?.status?.operationState })}`, { cause: err });
  });
  const want = keysOf(tree);
  // the live view may trail a prune by a moment (background deletion)
  const live = await waitFor(
    async () => {
      const items = await liveObjects(ns);
      const keys = items.map((o) => `${o.kind}/${o.metadata.name}`).sort();
      return JSON.stringify(keys) === JSON.stringify(want) ? items : undefined;
    },
    { timeoutMs: 30_000, what: `${label}: live objects equal Git` },
  ).catch(async (err: Error) => {
    const keys = (await liveObjects(ns)).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect({ label, live: keys }).toEqual({ label, live: want }); // a readable diff
    throw err;
  });
  expect(app.status?.sync?.status).toBe("Synced");
  const inventory = (app.status?.resources ?? []).map((r) => `${r.kind}/${r.name}`).sort();
  expect({ label, inventory }).toEqual({ label, inventory: want });
  expect(app.status?.operationState?.phase).not.toBe("Running");
  for (const o of live) expect(o.metadata.annotations?.["plumb.dev/tracking-id"]).toBe(`${ns}/${APP}:${o.kind === "Deployment" ? "apps" : ""}/${o.kind}:${ns}/${o.metadata.name}`);
  return new Map(live.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.uid]));
}

/**
 * Waits until the operator has logged `k` writes since log index `from` (or
 * finished syncing `revision`), then SIGKILLs it; k = 0 kills it within half
 * a second, before any write (in the Git fetch, the render or the dry-runs).
 */
async function killAfterWrites(op: PlumbProcess, opts: { from: number; k: number; revision: string }): Promise<number> {
  const { from, k, revision } = opts;
  if (k === 0) await new Promise((r) => setTimeout(r, rand(500)));
  const finished = () => op.logs.slice(from).some((l) => l.msg === "reconciled" && l.revision === revision);
  await waitFor(() => op.count(["applied", "pruned"], from) >= k || finished(), { timeoutMs: 120_000, intervalMs: 5, what: `${k} writes` });
  await op.kill();
  return op.count(["applied", "pruned"], from);
}

const rand = (n: number) => Math.floor(Math.random() * n);

describe("crash consistency", () => {
  it.each(Array.from({ length: RUNS }, (_, i) => i))("survives SIGKILL at random writes and converges (run %i)", async (run) => {
    const ns = await createNamespace(`crash${run}`);
    const repo = `crash-${run}-${Date.now().toString(36)}`;
    const repoURL = await git.createRepo(repo);
    const cacheDir = freshCacheDir();
    const a = treeA(), b = treeB(), c = treeC();
    let op: PlumbProcess | undefined;
    const t0 = Date.now();
    const took: string[] = [];
    const lap = (what: string) => took.push(`${what} ${((Date.now() - t0) / 1000).toFixed(0)}s`);
    try {
      // 1. the first sync of 50 objects dies at a random write
      const revA = await git.commit(repo, { files: a });
      op = await startPlumb({ namespace: ns, cacheDir });
      await applyApplication({ namespace: ns, name: APP, spec: { source: { repoURL, path: "app" }, destination: { namespace: ns }, interval: "2s", syncPolicy: { automated: { prune: true, selfHeal: true } }, rollout: { timeout: "2m" } } });
      const k1 = rand(keysOf(a).length + 1);
      const done1 = await killAfterWrites(op, { from: 0, k: k1, revision: revA });
      op = await startPlumb({ namespace: ns, cacheDir });
      lap("killed");
      const uidsA = await expectConverged(ns, a, revA, `run ${run} A (killed after ${done1} writes)`);
      lap("A");

      // 2. the sync of B (changes, prunes, additions, a rollout) dies at a random write
      const mark = op.logs.length;
      const revB = await git.commit(repo, { files: diffFiles(a, b) });
      const k2 = rand(41);
      const done2 = await killAfterWrites(op, { from: mark, k: k2, revision: revB });
      // even runs: Git drops B's additions while the operator is down
      const dropWhileDown = run % 2 === 0;
      const revC = dropWhileDown ? await git.commit(repo, { files: diffFiles(b, c) }) : undefined;
      op = await startPlumb({ namespace: ns, cacheDir });
      const label = `run ${run} ${dropWhileDown ? "C after a kill in B" : "B"} (killed after ${done2} writes)`;
      lap("killed");
      const uidsB = await expectConverged(ns, dropWhileDown ? c : b, revC ?? revB, label);
      lap(dropWhileDown ? "C" : "B");
      // nothing Git kept was deleted and recreated
      for (const [key, uid] of uidsB) if (uidsA.has(key)) expect({ key, uid }).toEqual({ key, uid: uidsA.get(key) });

      // 3. odd runs: Git drops B's additions now
      if (!dropWhileDown) {
        const revC2 = await git.commit(repo, { files: diffFiles(b, c) });
        await expectConverged(ns, c, revC2, `run ${run} C`);
        lap("C");
      }
      console.log(`crash run ${run}: killed after ${done1}/${keysOf(a).length} writes of A and ${done2} writes of B${dropWhileDown ? ", C pushed while down" : ""}; converged (${took.join(", ")})`);
    } finally {
      await op?.kill();
      rmSync(cacheDir, { recursive: true, force: true });
      await kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
    }
  }, 900_000); // a bound, not an expectation: three phases of up to 150 s each, on a machine that may be busy
});
