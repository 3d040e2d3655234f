import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runRender } from "../../../src/cli/render.js";
import type { KubeObject } from "../../../src/model/object.js";
import { toolRuns } from "../../../src/render/index.js";
import { applyApplication, conditionOf, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import { useTestEnvironment } from "../../support/env.js";
import { getJSON, KUBECTL, waitFor } from "../../support/kube.js";
import { git } from "../../support/git-repo.js";
import { scratchDir } from "../../support/scratch.js";
import { guardSourceFields, forcedResyncWrites, overlayRepo } from "../../support/sources.js";

// Kustomize overlays rendered with the real kustomize binary, synced to the
// real cluster from a real Git server.

const env = useTestEnvironment("kust");
guardSourceFields();
const automated = { automated: { prune: true, selfHeal: true } };

interface Deployment extends KubeObject {
  spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> }; spec: { containers: Array<{ image: string; env?: Array<{ name: string; value: string }>; envFrom?: Array<{ configMapRef: { name: string } }> }> } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
}

const configMapsOf = async (ns: string, prefix: string): Promise<string[]> =>
  ((await getJSON<{ items: KubeObject[] }>(["configmaps", "-n", ns]))?.items ?? []).map((c) => c.metadata.name).filter((n) => n.startsWith(prefix)).sort();

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

describe("Kustomize sources", () => {
  it("syncs a prod overlay (patches, images, component, generator) and rolls the Deployment to a changed generated ConfigMap, pruning the old one only after the rollout", async () => {
    const repoURL = await env.git.createRepo("overlay");
    const first = await env.git.commit("overlay", { files: overlayRepo({ color: "blue" }) });
    await applyApplication({ namespace: env.ns, name: "shop", spec: { source: { repoURL, path: "overlays/prod" }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    const ready = await waitForReady(env.ns, "shop", first, 180_000);
    expect(ready.status?.resources?.map((r) => `${r.kind}/${r.name}`).sort()).toEqual([
      expect.stringMatching(/^ConfigMap\/prod-web-config-[a-z0-9]{10}$/),
      "Deployment/prod-web",
      "Service/prod-web",
    ]);
    const deploy = (await getJSON<Deployment>(["deployment", "prod-web", "-n", env.ns]))!;
    expect(deploy.spec.replicas).toBe(3); // strategic-merge patch
    const container = deploy.spec.template.spec.containers[0]!;
    expect(container.image).toBe("registry.example/web-prod:2"); // images
    expect(container.env).toEqual([{ name: "TIER", value: "prod" }]); // JSON6902 patch
    expect(deploy.metadata.annotations?.["prometheus.io/scrape"]).toBe("true"); // component
    expect(deploy.metadata.labels?.["app.kubernetes.io/name"]).toBe("web");
    const oldConfig = container.envFrom![0]!.configMapRef.name;
    expect(await configMapsOf(env.ns, "prod-web-config-")).toEqual([oldConfig]);

    // a new generator literal: a new hash-suffixed ConfigMap, a Deployment rollout, then the old one pruned
    const second = await env.git.commit("overlay", { files: { "base/kustomization.yaml": overlayRepo({ color: "green" })["base/kustomization.yaml"]! } });
    const samples: Array<{ oldExists: boolean; rolledOut: boolean }> = [];
    const done = waitFor(
      async () => {
        const [d, cms] = await Promise.all([getJSON<Deployment>(["deployment", "prod-web", "-n", env.ns]), configMapsOf(env.ns, "prod-web-config-")]);
        const s = d?.status;
        const usesNew = d?.spec.template.spec.containers[0]?.envFrom?.[0]?.configMapRef.name !== oldConfig;
        const rolledOut = !!d && usesNew && s?.observedGeneration === d.metadata.generation && s?.updatedReplicas === d.spec.replicas && s?.availableReplicas === d.spec.replicas && s?.replicas === d.spec.replicas;
        samples.push({ oldExists: cms.includes(oldConfig), rolledOut });
        return !cms.includes(oldConfig);
      },
      { timeoutMs: 120_000, intervalMs: 100, what: "old generated ConfigMap pruned" },
    );
    await done;
    const after = await waitForReady(env.ns, "shop", second, 180_000);
    const newConfig = (await getJSON<Deployment>(["deployment", "prod-web", "-n", env.ns]))!.spec.template.spec.containers[0]!.envFrom![0]!.configMapRef.name;
    expect(newConfig).not.toBe(oldConfig);
    expect(await configMapsOf(env.ns, "prod-web-config-")).toEqual([newConfig]);
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", newConfig, "-n", env.ns]))?.data.color).toBe("green");
    // the old ConfigMap existed in every sample taken before the rollout was complete
    const gone = samples.findIndex((s) => !s.oldExists);
    expect(gone).toBeGreaterThan(0);
    expect(samples.slice(0, gone).some((s) => !s.rolledOut), "the rollout was observed in progress").toBe(true);
    expect(samples[gone - 1]?.rolledOut || samples[gone]?.rolledOut, "pruned only once rolled out").toBe(true);
    expect(after.status?.resources?.map((r) => r.name)).not.toContain(oldConfig);
  });

  it("applies spec.source.kustomize as kustomize edit would, without writing into the cached checkout", async () => {
    const repoURL = await env.git.createRepo("edits");
    const rev = await env.git.commit("edits", { files: overlayRepo() });
    await applyApplication({
      namespace: env.ns,
      name: "edits",
      spec: {
        source: { repoURL, path: "overlays/dev", kustomize: { namePrefix: "team-", nameSuffix: "-v2", images: ["registry.example/web=registry.example/web-team:9"], commonLabels: { team: "a" } } },
        destination: { namespace: env.ns },
        interval: "1h",
        syncPolicy: automated,
      },
    });
    const ready = await waitForReady(env.ns, "edits", rev, 180_000);
    expect(ready.status?.resources?.map((r) => r.name).sort()).toEqual([expect.stringMatching(/^team-web-config-v2-[a-z0-9]{10}$/), "team-web-v2", "team-web-v2"]);
    const d = (await getJSON<Deployment>(["deployment", "team-web-v2", "-n", env.ns]))!;
    expect(d.spec.template.spec.containers[0]!.image).toBe("registry.example/web-team:9");
    expect(d.metadata.labels?.team).toBe("a");
    // no kustomization in the operator's Git cache was edited
    const edited: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/^kustomization\.ya?ml$/.test(name) && readFileSync(p, "utf8").includes("team-")) edited.push(p);
      }
    };
    walk(env.op.config.cacheDir);
    expect(edited).toEqual([]);
  });

  it("makes zero writes on a forced re-sync of a synced overlay", async () => {
    const repoURL = await env.git.createRepo("quiet");
    const rev = await env.git.commit("quiet", { files: overlayRepo() });
    await applyApplication({ namespace: env.ns, name: "quiet", spec: { source: { repoURL, path: "overlays/dev" }, destination: { namespace: env.ns }, interval: "1h", syncPolicy: automated } });
    await waitForReady(env.ns, "quiet", rev, 180_000);
    await waitForApp(env.ns, "quiet", (a) => a.status?.health?.status === "Healthy");
    await new Promise((r) => setTimeout(r, 3000)); // rollout status settles
    const { writes, dryRuns } = await forcedResyncWrites(env.op, { namespace: env.ns, name: "quiet" });
    expect(dryRuns, "every re-sync compared with the cluster").toBeGreaterThan(0);
    expect(writes).toBe(0);
    expect(conditionOf(await getApplication(env.ns, "quiet"), "Ready")?.status).toBe("True");
    expect((await getApplication(env.ns, "quiet"))?.status?.sync?.status).toBe("Synced");
  });

  it("runs no kustomize again while none of the overlay's inputs change, and renders again when a base does", async () => {
    const repoURL = await env.git.createRepo("memo");
    const first = await env.git.commit("memo", { files: overlayRepo() });
    const spec = { source: { repoURL, path: "overlays/prod", kustomize: { namePrefix: "memo-" } }, destination: { namespace: env.ns }, interval: "1s", syncPolicy: automated };
    await applyApplication({ namespace: env.ns, name: "memo", spec });
    await waitForReady(env.ns, "memo", first, 180_000);
    await new Promise((r) => setTimeout(r, 2000));
    const runs = toolRuns.count;
    // a commit outside the overlay's inputs (overlays/dev, docs): a new revision, no render
    const elsewhere = await env.git.commit("memo", { files: { "docs/README.md": "notes\n", "overlays/dev/kustomization.yaml": overlayRepo()["overlays/dev/kustomization.yaml"]!.replace("2-dev", "3-dev") } });
    await waitForReady(env.ns, "memo", elsewhere, 180_000);
    await new Promise((r) => setTimeout(r, 3000)); // a few more 1 s polls
    expect(toolRuns.count - runs, "kustomize runs while no input changed").toBe(0);
    // a change in the base the overlay reaches renders again
    const changed = await env.git.commit("memo", { files: { "base/service.yaml": overlayRepo()["base/service.yaml"]!.replace("port: 80", "port: 81") } });
    await waitForReady(env.ns, "memo", changed, 180_000);
    expect(toolRuns.count - runs).toBeGreaterThan(0);
    expect(await getJSON<{ spec: { ports: Array<{ port: number }> } }>(["service", "memo-web", "-n", env.ns]).then((s) => s?.spec.ports[0]?.port)).toBe(81);
  });

  it("`plumb render` of an overlay gives the same objects as `kubectl kustomize`", async () => {
    const dir = scratchDir("plumb-kust-");
    writeTree(dir, overlayRepo());
    await git(["init", "-q"], dir); // the overlay's bases are found through the work tree it is in
    for (const overlay of ["overlays/prod", "overlays/dev"]) {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const code = await runRender([join(dir, overlay)], { stdin: new PassThrough(), stdout, stderr });
      expect(code, (stderr.read() as Buffer | null)?.toString()).toBe(0);
      const ours = parseAllDocuments((stdout.read() as Buffer).toString("utf8")).map((d) => d.toJS() as KubeObject);
      const theirs = await new Promise<string>((resolve, reject) => execFile(KUBECTL, ["kustomize", join(dir, overlay)], (err, out) => (err ? reject(err) : resolve(out))));
      const sortKey = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
      const sorted = (list: KubeObject[]) => [...list].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      expect(sorted(ours)).toEqual(sorted(parseAllDocuments(theirs).map((d) => d.toJS() as KubeObject)));
      expect(ours.length).toBe(3);
    }
  });
});
