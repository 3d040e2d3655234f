import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { createNamespace, KUBECONFIG, kubectl, waitFor } from "../../support/kube.js";

// These tests prove the test bed is real: the controller-manager makes
// ReplicaSets, the scheduler places pods, KWOK turns them Ready (or not), and
// the API server authenticates ServiceAccount tokens and enforces RBAC.

function deployment(name: string, opts: { replicas: number; podLabels?: Record<string, string>; progressDeadlineSeconds?: number }): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: opts.replicas,
      ...(opts.progressDeadlineSeconds ? { progressDeadlineSeconds: opts.progressDeadlineSeconds } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...opts.podLabels } },
        spec: { containers: [{ name: "main", image: "registry.example/web:1" }] },
      },
    },
  };
}

describe("the local cluster", () => {
  let kc: KubeConfig;
  let ns: string;
  beforeAll(async () => {
    kc = new KubeConfig();
    kc.loadFromFile(KUBECONFIG);
    ns = await createNamespace("foundation");
  });

  it("rolls a 3-replica Deployment out to Available through the real controllers and KWOK", async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment("web", { replicas: 3 }) });
    const done = await waitFor(
      async () => {
        const d = await apps.readNamespacedDeployment({ namespace: ns, name: "web" });
        const available = d.status?.conditions?.find((c) => c.type === "Available")?.status === "True";
        return available && d.status?.readyReplicas === 3 ? d : undefined;
      },
      { timeoutMs: 90_000, what: "Deployment web Available with 3 ready replicas" },
    );
    expect(done.status?.availableReplicas).toBe(3);
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns, labelSelector: "app=web" });
    expect(pods.items).toHaveLength(3);
    for (const p of pods.items) {
      expect(p.spec?.nodeName).toBe("kwok-node-0");
      expect(p.status?.phase).toBe("Running");
      expect(p.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
      expect(p.metadata?.ownerReferences?.[0]?.kind).toBe("ReplicaSet");
    }
  });

  it("ends a rollout whose pods never turn Ready with ProgressDeadlineExceeded", async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment("stuck", { replicas: 1, podLabels: { "kwok.plumb.dev/ready": "false" }, progressDeadlineSeconds: 10 }),
    });
    const cond = await waitFor(
      async () => {
        const d = await apps.readNamespacedDeployment({ namespace: ns, name: "stuck" });
        const p = d.status?.conditions?.find((c) => c.type === "Progressing");
        return p?.status === "False" ? p : undefined;
      },
      { timeoutMs: 90_000, what: "Progressing=False" },
    );
    expect(cond.reason).toBe("ProgressDeadlineExceeded");
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns, labelSelector: "app=stuck" });
    expect(pods.items[0]?.status?.phase).toBe("Running");
    expect(pods.items[0]?.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
  });

  it("puts a pod labelled kwok.plumb.dev/crash into CrashLoopBackOff with rising restarts", async () => {
    await kubectl(["run", "crasher", "-n", ns, "--image=registry.example/crash:1", "--labels=kwok.plumb.dev/crash=true"]);
    const status = await waitFor(
      async () => {
        const pod = JSON.parse(await kubectl(["get", "pod", "crasher", "-n", ns, "-o", "json"])) as { status?: { containerStatuses?: { restartCount: number; state?: { waiting?: { reason?: string } } }[] } };
        const cs = pod.status?.containerStatuses?.[0];
        return cs?.state?.waiting?.reason === "CrashLoopBackOff" ? cs : undefined;
      },
      { timeoutMs: 60_000, what: "CrashLoopBackOff" },
    );
    expect(status.restartCount).toBeGreaterThanOrEqual(1);
  });

  it("accepts a TokenRequest token and enforces RBAC on impersonated requests", async () => {
    await kubectl(["create", "serviceaccount", "reader", "-n", ns]);
    await kubectl(["create", "role", "cm-reader", "-n", ns, "--verb=get,list", "--resource=configmaps"]);
    await kubectl(["create", "rolebinding", "cm-reader", "-n", ns, "--role=cm-reader", `--serviceaccount=${ns}:reader`]);
    const token = (await kubectl(["create", "token", "reader", "-n", ns, "--duration=10m"])).trim();
    const review = JSON.parse(
      await kubectl(["create", "-o", "json", "-f", "-"], {
        input: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } }),
      }),
    ) as { status: { authenticated?: boolean; user?: { username?: string } } };
    expect(review.status.authenticated).toBe(true);
    expect(review.status.user?.username).toBe(`system:serviceaccount:${ns}:reader`);
    // the token itself works against the API server
    const asToken = await kubectl(["--token", token, "--kubeconfig=/dev/null", "--server", serverURL(kc), "--certificate-authority", caFile(), "get", "configmaps", "-n", ns, "-o", "name"]);
    expect(asToken).toContain("configmap/kube-root-ca.crt");
    // impersonation: allowed where the Role grants, denied elsewhere
    const sa = `system:serviceaccount:${ns}:reader`;
    expect((await kubectl(["auth", "can-i", "list", "configmaps", "-n", ns, "--as", sa])).trim()).toBe("yes");
    await expect(kubectl(["get", "secrets", "-n", ns, "--as", sa])).rejects.toThrow(/forbidden/);
    await expect(kubectl(["create", "configmap", "nope", "-n", ns, "--as", sa])).rejects.toThrow(/forbidden/);
  });
});

function serverURL(kc: KubeConfig): string {
  return kc.getCurrentCluster()!.server;
}

function caFile(): string {
  return KUBECONFIG.replace(/kubeconfig$/, "pki/ca.crt");
}
