import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Application } from "../../../src/model/application.js";
import { conditionOf, configMapYAML, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace, kubectl, waitFor } from "../../support/kube.js";
import { FULL, startPlumb, type PlumbProcess } from "./harness.js";

// Resource bounds of the operator process: RSS while it syncs a repository
// of 5,000 files, and while 100 Applications share one repository
// (`make test` runs both at a fifth of the size). Figures are printed; the
// only assertion on memory is a generous sanity bound.

const SCALE = FULL ? { files: 5_000, manifests: 3_000, apps: 100 } : { files: 1_000, manifests: 600, apps: 20 };
const SANITY_MIB = 2_048;

let git: GitServer;
beforeAll(async () => {
  git = await startGitServer();
});
afterAll(async () => {
  await git?.stop();
});

/** Samples the process's RSS every 250 ms until stopped. */
function sampleRss(op: PlumbProcess): { stop: () => { startMiB: number; peakMiB: number; endMiB: number } } {
  const samples = [op.rss().nowMiB];
  const timer = setInterval(() => samples.push(op.rss().nowMiB), 250);
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(op.rss().nowMiB);
      return { startMiB: samples[0]!, peakMiB: Math.max(...samples), endMiB: samples.at(-1)! };
    },
  };
}

async function applyAll(apps: object[]): Promise<void> {
  await kubectl(["apply", "--server-side", "--field-manager=test", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: apps }) });
}

async function appsReadyAt(ns: string, revision: string): Promise<number> {
  const list = JSON.parse(await kubectl(["get", "applications.plumb.dev", "-n", ns, "-o", "json"])) as { items: Application[] };
  return list.items.filter((a) => conditionOf(a, "Ready")?.status === "True" && a.status?.sync?.revision === revision).length;
}

describe("resource bounds", () => {
  it(`syncs a repository of ${SCALE.files} files (${SCALE.manifests} manifests) with bounded RSS`, async () => {
    const ns = await createNamespace("bigrepo");
    const files: Record<string, string> = {};
    for (let i = 0; i < SCALE.manifests; i++) files[`app/cm/${String(i).padStart(5, "0")}.yaml`] = configMapYAML(`cm-${i}`, { index: String(i), text: "x".repeat(200) });
    for (let i = 0; i < SCALE.files - SCALE.manifests; i++) files[`docs/${String(i).padStart(5, "0")}.md`] = `# note ${i}\n${"lorem ipsum ".repeat(20)}\n`;
    const repoURL = await git.createRepo("big");
    const rev = await git.commit("big", { files });
    const op = await startPlumb({ namespace: ns, flags: { concurrency: "4" } });
    try {
      const rss = sampleRss(op);
      const t0 = performance.now();
      await applyAll([{ apiVersion: "plumb.dev/v1alpha1", kind: "Application", metadata: { name: "big", namespace: ns }, spec: { source: { repoURL, path: "app" }, destination: { namespace: ns }, interval: "2s", syncPolicy: { automated: { prune: true, selfHeal: true } } } }]);
      const ready = await waitForReady(ns, "big", rev, 600_000);
      const firstSync = performance.now() - t0;
      const first = rss.stop();
      expect(ready.status?.resources).toHaveLength(SCALE.manifests);
      // one file changes: a second sync of the same big path
      const again = sampleRss(op);
      const rev2 = await git.commit("big", { files: { "app/cm/00000.yaml": configMapYAML("cm-0", { index: "0", text: "changed" }) } });
      await waitForReady(ns, "big", rev2, 600_000);
      const second = again.stop();
      console.log(
        `RSS, one app of ${SCALE.manifests} ConfigMaps in a repo of ${SCALE.files} files (${op.build}): ` +
          `before ${first.startMiB} MiB, peak ${first.peakMiB} MiB during the first sync (${(firstSync / 1000).toFixed(1)} s), ${first.endMiB} MiB after; ` +
          `peak ${second.peakMiB} MiB during a one-file change, ${second.endMiB} MiB after`,
      );
      expect(Math.max(first.peakMiB, second.peakMiB)).toBeLessThan(SANITY_MIB);
    } finally {
      await op.stop();
      await kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
    }
  });

  it(`runs ${SCALE.apps} apps sharing one repository with bounded RSS`, async () => {
    const ns = await createNamespace("manyapps");
    const files: Record<string, string> = {};
    const name = (i: number) => `app-${String(i).padStart(3, "0")}`;
    for (let a = 0; a < SCALE.apps; a++) {
      for (let o = 0; o < 10; o++) files[`${name(a)}/cm-${o}.yaml`] = configMapYAML(`${name(a)}-cm-${o}`, { v: "1" });
    }
    const repoURL = await git.createRepo("shared");
    const rev = await git.commit("shared", { files });
    const op = await startPlumb({ namespace: ns });
    try {
      const rss = sampleRss(op);
      const t0 = performance.now();
      const app = (i: number) => ({ apiVersion: "plumb.dev/v1alpha1", kind: "Application", metadata: { name: name(i), namespace: ns }, spec: { source: { repoURL, path: name(i) }, destination: { namespace: ns }, interval: "5s", syncPolicy: { automated: { prune: true, selfHeal: true } } } });
      await applyAll(Array.from({ length: SCALE.apps }, (_, i) => app(i)));
      await waitFor(async () => (await appsReadyAt(ns, rev)) === SCALE.apps, { timeoutMs: 600_000, intervalMs: 1_000, what: `${SCALE.apps} apps Ready` });
      const allReady = performance.now() - t0;
      const first = rss.stop();
      // a commit that touches one app: every app moves to it, one app writes
      const again = sampleRss(op);
      const rev2 = await git.commit("shared", { files: { [`${name(0)}/cm-0.yaml`]: configMapYAML(`${name(0)}-cm-0`, { v: "2" }) } });
      await waitFor(async () => (await appsReadyAt(ns, rev2)) === SCALE.apps, { timeoutMs: 600_000, intervalMs: 1_000, what: `${SCALE.apps} apps Ready at the second commit` });
      const second = again.stop();
      console.log(
        `RSS, ${SCALE.apps} apps × 10 ConfigMaps sharing one repo (${op.build}): before ${first.startMiB} MiB, peak ${first.peakMiB} MiB until all Ready (${(allReady / 1000).toFixed(1)} s), ${first.endMiB} MiB after; ` +
          `peak ${second.peakMiB} MiB while all move to a commit touching one app, ${second.endMiB} MiB after`,
      );
      expect(Math.max(first.peakMiB, second.peakMiB)).toBeLessThan(SANITY_MIB);
      await waitForReady(ns, name(0), rev2);
    } finally {
      await op.stop();
      await kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
    }
  });
});
