import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { installDeploy, kubectlFull, PLUMB_NAMESPACE, PLUMB_SERVICE_ACCOUNT } from "../../support/incluster.js";
import { kubectl, REPO, waitFor } from "../../support/kube.js";

// deploy/ as a user installs it: kubectl apply -k, against the real API
// server (schema, RBAC and Pod Security admission included).

const SA = `system:serviceaccount:${PLUMB_NAMESPACE}:${PLUMB_SERVICE_ACCOUNT}`;

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

async function rendered(): Promise<Obj[]> {
  const out = await kubectl(["kustomize", join(REPO, "deploy")]);
  return parseAllDocuments(out).map((d) => d.toJS() as Obj);
}

async function canI(args: string[]): Promise<boolean> {
  const r = await kubectlFull(["auth", "can-i", ...args, "--as", SA]);
  return r.stdout.trim() === "yes";
}

describe("deploy/", () => {
  beforeAll(async () => {
    // a dry run cannot create the namespace its other objects go to
    await kubectl(["apply", "--server-side", "--field-manager=plumb-test", "-f", join(REPO, "deploy/namespace.yaml")]);
  });

  it("passes kubectl apply -k deploy/ --dry-run=server", async () => {
    const r = await kubectlFull(["apply", "-k", join(REPO, "deploy"), "--dry-run=server"]);
    expect(r.stderr).not.toMatch(/error|would violate PodSecurity/i);
    expect(r.code).toBe(0);
    for (const what of ["namespace/plumb-system", "customresourcedefinition.apiextensions.k8s.io/applications.plumb.dev", "serviceaccount/plumb", "clusterrole.rbac.authorization.k8s.io/plumb-controller", "clusterrole.rbac.authorization.k8s.io/plumb-applier", "role.rbac.authorization.k8s.io/plumb-leader-election", "deployment.apps/plumb", "service/plumb"]) {
      expect(r.stdout).toContain(what);
    }
  });

  it("runs two hardened replicas with probes, downward-API identity and a writable /tmp", async () => {
    const dep = (await rendered()).find((o) => o.kind === "Deployment") as unknown as {
      spec: { replicas: number; template: { spec: { serviceAccountName: string; securityContext: Record<string, unknown>; containers: Record<string, never>[]; volumes: { name: string; emptyDir?: object }[] } } };
    };
    const pod = dep.spec.template.spec;
    const c = pod.containers[0] as unknown as {
      image: string; env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[]; ports: { name: string; containerPort: number }[];
      securityContext: Record<string, unknown>; livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } }; resources: { requests: object; limits: object }; volumeMounts: { name: string; mountPath: string }[];
    };
    expect(dep.spec.replicas).toBe(2);
    expect(pod.serviceAccountName).toBe("plumb");
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.resources.requests).toBeTruthy();
    expect(c.resources.limits).toBeTruthy();
    const env = Object.fromEntries(c.env.map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]));
    expect(env).toMatchObject({ POD_NAME: "metadata.name", POD_NAMESPACE: "metadata.namespace", PLUMB_LISTEN: "0.0.0.0:8080" });
    const tmp = c.volumeMounts.find((m) => m.mountPath === "/tmp");
    expect(pod.volumes.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(c.ports).toContainEqual(expect.objectContaining({ name: "http", containerPort: 8080 }));
  });

  it("installs with kubectl apply -k and its pods pass the namespace's restricted Pod Security level", async () => {
    await installDeploy();
    const ready = await waitFor(
      async () => {
        const d = JSON.parse(await kubectl(["get", "deployment", "plumb", "-n", PLUMB_NAMESPACE, "-o", "json"])) as { status?: { readyReplicas?: number } };
        return d.status?.readyReplicas === 2;
      },
      { timeoutMs: 90_000, what: "2 ready plumb pods (KWOK)" },
    );
    expect(ready).toBe(true);
    const ns = JSON.parse(await kubectl(["get", "namespace", PLUMB_NAMESPACE, "-o", "json"])) as Obj;
    expect(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("grants the operator's ServiceAccount what it needs and no more", async () => {
    await installDeploy();
    // controller
    expect(await canI(["watch", "applications.plumb.dev", "-A"])).toBe(true);
    expect(await canI(["patch", "applications.plumb.dev", "--subresource=status", "-n", "default"])).toBe(true);
    expect(await canI(["update", "applications.plumb.dev", "-n", "default"])).toBe(false);
    expect(await canI(["create", "events", "-n", "default"])).toBe(true);
    expect(await canI(["create", "tokenreviews.authentication.k8s.io"])).toBe(true);
    expect(await canI(["create", "subjectaccessreviews.authorization.k8s.io"])).toBe(true);
    expect(await canI(["get", "secrets", "-n", "default"])).toBe(true);
    expect(await canI(["impersonate", "serviceaccounts", "-n", "default"])).toBe(true);
    expect(await canI(["impersonate", "users"])).toBe(false);
    expect(await canI(["impersonate", "groups"])).toBe(false);
    // the Lease: only its own, only in its namespace
    expect(await canI(["update", "leases.coordination.k8s.io/plumb-leader", "-n", PLUMB_NAMESPACE])).toBe(true);
    expect(await canI(["update", "leases.coordination.k8s.io/other", "-n", PLUMB_NAMESPACE])).toBe(false);
    expect(await canI(["update", "leases.coordination.k8s.io/plumb-leader", "-n", "kube-system"])).toBe(false);
    // applier: common kinds, nothing that hands rights on or changes the cluster's shape
    expect(await canI(["create", "deployments.apps", "-n", "default"])).toBe(true);
    expect(await canI(["delete", "configmaps", "-n", "default"])).toBe(true);
    for (const denied of ["clusterroles.rbac.authorization.k8s.io", "rolebindings.rbac.authorization.k8s.io", "customresourcedefinitions.apiextensions.k8s.io", "validatingwebhookconfigurations.admissionregistration.k8s.io", "nodes"]) {
      expect(await canI(["create", denied, "-n", "default"]), denied).toBe(false);
    }
    expect(await canI(["escalate", "clusterroles.rbac.authorization.k8s.io"])).toBe(false);
  });

  it("keeps the controller role read-only outside Application and Notifier status, Events, reviews and impersonation", async () => {
    const role = (await rendered()).find((o) => o.kind === "ClusterRole" && o.metadata.name === "plumb-controller") as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const writes = role.rules.filter((r) => r.verbs.some((v) => !["get", "list", "watch"].includes(v))).flatMap((r) => r.resources);
    expect(new Set(writes)).toEqual(new Set(["applications/status", "notifiers/status", "events", "tokenreviews", "subjectaccessreviews", "serviceaccounts"]));
    const secretRules = role.rules.filter((r) => r.resources.includes("secrets"));
    expect(secretRules.flatMap((r) => r.verbs)).toEqual(["get"]);
  });
});
