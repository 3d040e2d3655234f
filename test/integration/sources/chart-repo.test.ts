import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApplication, conditionOf, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import { startChartServer, type ChartServer } from "../../support/chart-server.js";
import { useTestEnvironment } from "../../support/env.js";
import { getJSON, kubectl } from "../../support/kube.js";
import { chartRepoFiles, guardSourceFields } from "../../support/sources.js";

// Charts from a Helm chart repository (index.yaml over HTTP with basic
// auth, packaged and indexed by the real helm) on 127.0.0.1.

const env = useTestEnvironment("chartrepo");
guardSourceFields();
const automated = { automated: { prune: true, selfHeal: true } };
let charts: ChartServer;

const chartVersion = (version: string, color: string) => {
  const files = chartRepoFiles({ dir: ".", version });
  files["./values-prod.yaml"] = ""; // unused here
  files["./values.yaml"] = files["./values.yaml"]!.replace("color: blue", `color: ${color}`);
  return files;
};
const REVISION = /^(\d+\.\d+\.\d+)@sha256:([0-9a-f]{64})$/;
const configColor = async (name: string) => (await getJSON<{ data: Record<string, string> }>(["configmap", `${name}-web`, "-n", env.ns]))?.data.color;

beforeAll(async () => {
  charts = await startChartServer({ username: "reader", password: "s3cret" });
  await charts.publish(chartVersion("1.0.0", "blue"));
  for (const [name, password] of [["chart-creds", "s3cret"], ["wrong-creds", "nope"]]) {
    await kubectl(["create", "secret", "generic", name!, "-n", env.ns, "--from-literal=username=reader", `--from-literal=password=${password}`]);
  }
});
afterAll(async () => charts?.stop());

describe("Helm chart repositories", () => {
  it("syncs a pinned version and a semver range, and the range moves when a matching version is published", async () => {
    const source = (targetRevision: string) => ({ repoURL: charts.url, chart: "web", targetRevision, secretRef: { name: "chart-creds" } });
    await applyApplication({ namespace: env.ns, name: "pinned", spec: { source: source("1.0.0"), destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    await applyApplication({ namespace: env.ns, name: "ranged", spec: { source: { ...source("^1.0.0"), helm: { values: { replicaCount: 2 } } }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    const pinned = await waitForReady(env.ns, "pinned", undefined, 180_000);
    const ranged = await waitForReady(env.ns, "ranged", undefined, 180_000);
    const [, version, digest] = REVISION.exec(pinned.status?.sync?.revision ?? "") ?? [];
    expect(version).toBe("1.0.0");
    const tgz = await fetch(`${charts.url}/web-1.0.0.tgz`, { headers: { authorization: `Basic ${Buffer.from("reader:s3cret").toString("base64")}` } });
    expect(digest).toBe(createHash("sha256").update(Buffer.from(await tgz.arrayBuffer())).digest("hex"));
    expect(ranged.status?.sync?.revision).toBe(pinned.status?.sync?.revision);
    expect(await configColor("pinned")).toBe("blue");
    expect((await getJSON<{ spec: { replicas: number } }>(["deployment", "ranged-web", "-n", env.ns]))?.spec.replicas).toBe(2);

    await charts.publish(chartVersion("1.1.0", "green"));
    await charts.publish(chartVersion("2.0.0", "red")); // outside the range
    const moved = await waitForApp(env.ns, "ranged", (a) => a.status?.sync?.revision?.startsWith("1.1.0@sha256:") === true && conditionOf(a, "Ready")?.status === "True", { timeoutMs: 120_000, what: "ranged moved to 1.1.0" });
    expect(moved.status?.history?.[0]?.revision).toMatch(/^1\.1\.0@sha256:/);
    expect(await configColor("ranged")).toBe("green");
    // the pinned app stays where it is
    expect((await getApplication(env.ns, "pinned"))?.status?.sync?.revision).toBe(pinned.status?.sync?.revision);
    expect(await configColor("pinned")).toBe("blue");
  });

  it("fails clearly with wrong credentials and deletes nothing", async () => {
    await applyApplication({ namespace: env.ns, name: "creds", spec: { source: { repoURL: charts.url, chart: "web", targetRevision: "1.0.0", secretRef: { name: "chart-creds" } }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(env.ns, "creds", undefined, 180_000);
    const uid = (await getJSON<{ metadata: { uid: string } }>(["deployment", "creds-web", "-n", env.ns]))?.metadata.uid;
    await applyApplication({ namespace: env.ns, name: "creds", spec: { source: { repoURL: charts.url, chart: "web", targetRevision: "1.0.0", secretRef: { name: "wrong-creds" } }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    const failed = await waitForApp(env.ns, "creds", (a) => conditionOf(a, "Ready")?.status === "False" && conditionOf(a, "Ready")?.reason === "GitFetchFailed");
    expect(conditionOf(failed, "Ready")?.message).toMatch(/index\.yaml failed: HTTP 401; check the credentials in spec\.source\.secretRef/);
    expect(conditionOf(failed, "Ready")?.message).not.toContain("nope");
    const codes = env.op.logs.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { msg?: string; app?: string; code?: string }).filter((l) => l.msg === "reconcile failed" && l.app === `${env.ns}/creds`).map((l) => l.code);
    expect(codes).toContain("ChartNotFound");
    await new Promise((r) => setTimeout(r, 3000));
    expect((await getJSON<{ metadata: { uid: string } }>(["deployment", "creds-web", "-n", env.ns]))?.metadata.uid).toBe(uid);
    expect(await configColor("creds")).toBe("blue");
  });

  it("says which versions exist when none matches", async () => {
    await applyApplication({ namespace: env.ns, name: "nomatch", spec: { source: { repoURL: charts.url, chart: "web", targetRevision: "~3.1", secretRef: { name: "chart-creds" } }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    const app = await waitForApp(env.ns, "nomatch", (a) => conditionOf(a, "Ready")?.reason === "GitFetchFailed");
    expect(conditionOf(app, "Ready")?.message).toMatch(/no version of chart "web" matches "~3\.1" \(the repository has .*1\.0\.0/);
  });
});
