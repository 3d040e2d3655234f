import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/model/object.js";
import { applyApplication, conditionOf, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import { useTestEnvironment } from "../../support/env.js";
import { getJSON, kubectl, waitFor } from "../../support/kube.js";
import { chartRepoFiles, guardSourceFields, forcedResyncWrites } from "../../support/sources.js";

// Helm charts in Git rendered with the real helm binary, with the target
// cluster's capabilities, synced to the real cluster.

const env = useTestEnvironment("helm");
guardSourceFields();
const automated = { automated: { prune: true, selfHeal: true } };

interface Deployment extends KubeObject {
  spec: { replicas: number; template: { spec: { containers: Array<{ image: string; env?: Array<{ name: string; value: string }> }> } } };
  status?: { updatedReplicas?: number; availableReplicas?: number };
}

const colorOf = (d: Deployment | undefined) => d?.spec.template.spec.containers[0]?.env?.find((e) => e.name === "COLOR")?.value;

describe("Helm charts in Git", () => {
  it("templates a chart with helpers, per-env values files and a values override, sees the cluster's APIs, skips test hooks, and rolls out a value change", async () => {
    const repoURL = await env.git.createRepo("chart");
    const first = await env.git.commit("chart", { files: chartRepoFiles() });
    await applyApplication({
      namespace: env.ns,
      name: "shop",
      spec: {
        source: { repoURL, path: "charts/web", helm: { valueFiles: ["values-prod.yaml"], values: { image: { tag: "7" } } } },
        destination: { namespace: env.ns },
        interval: "2s",
        syncPolicy: automated,
      },
    });
    const ready = await waitForReady(env.ns, "shop", first, 180_000);
    expect(ready.status?.resources?.map((r) => `${r.kind}/${r.name}`).sort()).toEqual(["ConfigMap/shop-web", "Deployment/shop-web", "Service/shop-web"]);
    const d = (await getJSON<Deployment>(["deployment", "shop-web", "-n", env.ns]))!;
    expect(d.spec.replicas).toBe(2); // values-prod.yaml over values.yaml
    expect(colorOf(d)).toBe("red");
    expect(d.spec.template.spec.containers[0]!.image).toBe("registry.example/web:7"); // spec.source.helm.values, merged last
    const cm = await getJSON<{ data: Record<string, string> }>(["configmap", "shop-web", "-n", env.ns]);
    expect(cm?.data.plumb).toBe("served"); // .Capabilities.APIVersions.Has sees the Application CRD
    expect(cm?.data.kubeVersion).toMatch(/^v1\.37\./);
    expect(await getJSON(["pod", "shop-web-test", "-n", env.ns])).toBeUndefined(); // helm.sh/hook: test

    const second = await env.git.commit("chart", { files: { "charts/web/values-prod.yaml": "replicaCount: 2\ncolor: purple\n" } });
    await waitForReady(env.ns, "shop", second, 180_000);
    await waitFor(
      async () => {
        const now = await getJSON<Deployment>(["deployment", "shop-web", "-n", env.ns]);
        return colorOf(now) === "purple" && now?.status?.updatedReplicas === 2 && now.status.availableReplicas === 2;
      },
      { timeoutMs: 90_000, what: "rolled out with the new value" },
    );
  });

  it("makes zero writes on a forced re-sync of a chart whose objects the API server defaults", async () => {
    const repoURL = await env.git.createRepo("quiet");
    const files = chartRepoFiles();
    // what charts commonly render: empty maps and lists, 1000m, ports by name, no imagePullPolicy
    files["charts/web/templates/extra.yaml"] = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-worker
spec:
  replicas: 1
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
      annotations: {}
    spec:
      nodeSelector: {}
      tolerations: []
      securityContext: {}
      containers:
        - name: worker
          image: registry.example/worker:1
          args: []
          env: []
          resources:
            limits: {cpu: 1000m, memory: 128Mi}
            requests: {cpu: 500m, memory: "67108864"}
          ports:
            - name: metrics
              containerPort: 9090
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-worker
spec:
  selector: {app: worker}
  ports:
    - name: metrics
      port: 9090
      targetPort: metrics
`;
    const rev = await env.git.commit("quiet", { files });
    await applyApplication({ namespace: env.ns, name: "quiet", spec: { source: { repoURL, path: "charts/web" }, destination: { namespace: env.ns }, interval: "1h", syncPolicy: automated } });
    await waitForReady(env.ns, "quiet", rev, 180_000);
    await waitForApp(env.ns, "quiet", (a) => a.status?.health?.status === "Healthy");
    await new Promise((r) => setTimeout(r, 3000));
    const { writes, dryRuns } = await forcedResyncWrites(env.op, { namespace: env.ns, name: "quiet" });
    expect(dryRuns, "every re-sync compared with the cluster").toBeGreaterThan(0);
    expect(writes).toBe(0);
    const app = await getApplication(env.ns, "quiet");
    expect(app?.status?.sync?.status).toBe("Synced");
    expect(conditionOf(app, "Ready")?.status).toBe("True");
    expect(await kubectl(["get", "deployment", "quiet-worker", "-n", env.ns, "-o", "jsonpath={.spec.template.spec.containers[0].resources.limits.cpu}"])).toBe("1");
  });

  it("renders a chart's vendored dependencies from charts/", async () => {
    const repoURL = await env.git.createRepo("deps");
    const rev = await env.git.commit("deps", {
      files: {
        "web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n  - name: cache\n    version: 0.2.0\n    repository: https://charts.example.com/stable\n",
        "web/values.yaml": "cache:\n  size: 64\n",
        "web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-web\ndata: {a: b}\n",
        "web/charts/cache/Chart.yaml": "apiVersion: v2\nname: cache\nversion: 0.2.0\n",
        "web/charts/cache/values.yaml": "size: 1\n",
        "web/charts/cache/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cache\ndata:\n  size: {{ .Values.size | quote }}\n",
      },
    });
    await applyApplication({ namespace: env.ns, name: "deps", spec: { source: { repoURL, path: "web" }, destination: { namespace: env.ns }, interval: "1h", syncPolicy: automated } });
    const ready = await waitForReady(env.ns, "deps", rev, 180_000);
    expect(ready.status?.resources?.map((r) => r.name).sort()).toEqual(["deps-cache", "deps-web"]);
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "deps-cache", "-n", env.ns]))?.data.size).toBe("64");
  });
});
