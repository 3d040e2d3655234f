import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApplication, conditionOf, configMapYAML, waitForApp, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { installDeploy, kubectlFull, PLUMB_NAMESPACE, PLUMB_SERVICE_ACCOUNT, serverURL, serviceAccountDir } from "../../support/incluster.js";
import { createNamespace, getJSON, kubectl } from "../../support/kube.js";
import { startTestOperator, type TestOperator } from "../../support/operator.js";

// A hostile tenant: a user with the built-in `edit` role in namespace A only.
// Through an Application in A it must get nothing its namespace could not do
// (issue 12, item 1). The operators run with exactly the identity deploy/
// gives Plumb (the plumb ServiceAccount, whose plumb-applier role may write
// Secrets anywhere): the lockdown must come from Plumb, not from a weak
// operator identity.

let git: GitServer;
let saDir: string;
let tenantNs: string;
let victimNs: string;
let trustedNs: string;
let tenantOp: TestOperator;
let trustedOp: TestOperator;
const alice = `alice-${process.pid}`;
const automated = { automated: { prune: true, selfHeal: true } };

function secretYAML(name: string, namespace: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nstringData:\n  planted: "yes"\n`;
}

beforeAll(async () => {
  await installDeploy();
  git = await startGitServer();
  tenantNs = await createNamespace("tenant-a");
  victimNs = await createNamespace("victim-b");
  trustedNs = await createNamespace("trusted");
  saDir = await serviceAccountDir(PLUMB_NAMESPACE, PLUMB_SERVICE_ACCOUNT);
  const asPlumb = { "service-account-dir": saDir, server: serverURL() };
  // the shipped default in a pod: only the operator's own namespace is trusted
  tenantOp = await startTestOperator({ namespace: tenantNs, flags: { ...asPlumb, "trusted-namespaces": PLUMB_NAMESPACE } });
  // out of cluster, --namespace is the trusted namespace by default
  trustedOp = await startTestOperator({ namespace: trustedNs, flags: asPlumb });
  await kubectl(["create", "rolebinding", "alice-edit", "-n", tenantNs, "--clusterrole=edit", `--user=${alice}`]);
});

afterAll(async () => {
  await tenantOp?.stop();
  await trustedOp?.stop();
  await git?.stop();
  if (saDir) rmSync(saDir, { recursive: true, force: true });
});

describe("tenancy: an Application never gets more than its namespace", () => {
  it("refuses, per object, a namespace editor's app that writes a Secret into another namespace, and creates nothing", async () => {
    // the premise: alice may create Applications in A but not Secrets in B
    expect((await kubectlFull(["auth", "can-i", "create", "applications.plumb.dev", "-n", tenantNs, `--as=${alice}`])).stdout.trim()).toBe("yes");
    expect((await kubectlFull(["auth", "can-i", "create", "secrets", "-n", victimNs, `--as=${alice}`])).stdout.trim()).toBe("no");
    const repoURL = await git.createRepo("escalate");
    await git.commit("escalate", { files: { "secret.yaml": secretYAML("planted", victimNs), "cm.yaml": configMapYAML("mine", { k: "v" }) } });
    const app = { apiVersion: "plumb.dev/v1alpha1", kind: "Application", metadata: { name: "escalate", namespace: tenantNs }, spec: { source: { repoURL }, destination: { namespace: tenantNs }, syncPolicy: automated } };
    await kubectl(["apply", `--as=${alice}`, "-f", "-"], { input: JSON.stringify(app) });

    const failed = await waitForApp(tenantNs, "escalate", (a) => conditionOf(a, "Ready")?.status === "False" && /forbidden/i.test(conditionOf(a, "Ready")?.message ?? ""));
    const ready = conditionOf(failed, "Ready")!;
    // names an object, its file, and the identity that was refused (A's default SA may do nothing yet)
    expect(ready.message).toMatch(new RegExp(`(Secret ${victimNs}/planted \\(secret\\.yaml:1\\)|ConfigMap ${tenantNs}/mine \\(cm\\.yaml:1\\)): `));
    expect(ready.message).toContain(`system:serviceaccount:${tenantNs}:default`);
    expect(await getJSON(["secret", "planted", "-n", victimNs])).toBeUndefined();
    expect(await getJSON(["configmap", "mine", "-n", tenantNs])).toBeUndefined();
  });

  it("lets an admin grant a tenant its own namespace: the app syncs there, and still nothing reaches B", async () => {
    await kubectl(["create", "rolebinding", "plumb-default-edit", "-n", tenantNs, "--clusterrole=edit", `--serviceaccount=${tenantNs}:default`]);
    const repoURL = await git.createRepo("own-ns");
    const rev = await git.commit("own-ns", { files: { "cm.yaml": configMapYAML("allowed", { k: "v" }) } });
    await applyApplication({ namespace: tenantNs, name: "own-ns", spec: { source: { repoURL }, destination: { namespace: tenantNs }, syncPolicy: automated } });
    await waitForReady(tenantNs, "own-ns", rev);
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "allowed", "-n", tenantNs]))?.data.k).toBe("v");
    // the escalating app, retried with the new rights, still may not write into B
    tenantOp.controller.request(tenantNs, "escalate", { manual: true });
    const refused = await waitForApp(tenantNs, "escalate", (a) => (conditionOf(a, "Ready")?.message ?? "").includes(`Secret ${victimNs}/planted (secret.yaml:1): `));
    expect(conditionOf(refused, "Ready")?.message).toMatch(/forbidden/i);
    expect(await getJSON(["secret", "planted", "-n", victimNs])).toBeUndefined();
    // validated before any write: the ConfigMap it may now create was not created either
    expect(await getJSON(["configmap", "mine", "-n", tenantNs])).toBeUndefined();
  });

  it("applies the same app with the operator's rights when an admin makes it in a trusted namespace", async () => {
    const repoURL = await git.createRepo("trusted");
    const rev = await git.commit("trusted", { files: { "secret.yaml": secretYAML("delivered", victimNs), "cm.yaml": configMapYAML("mine", { k: "v" }), "b-cm.yaml": configMapYAML("delivered", { k: "v" }).replace("metadata:\n", `metadata:\n  namespace: ${victimNs}\n`) } });
    await applyApplication({ namespace: trustedNs, name: "trusted", spec: { source: { repoURL }, destination: { namespace: trustedNs }, syncPolicy: automated } });
    await waitForReady(trustedNs, "trusted", rev);
    expect(await getJSON(["secret", "delivered", "-n", victimNs])).toBeDefined();
  });

  it("tells a tenant nothing about objects of other Applications in namespaces it may not read", async () => {
    // the trusted app's ConfigMap in B sits in the operator's watch cache; a tenant app naming it must not learn its owner
    const repoURL = await git.createRepo("probe");
    await git.commit("probe", { files: { "cm.yaml": configMapYAML("delivered", { k: "mine now" }).replace("metadata:\n", `metadata:\n  namespace: ${victimNs}\n`) } });
    await applyApplication({ namespace: tenantNs, name: "probe", spec: { source: { repoURL }, destination: { namespace: tenantNs }, syncPolicy: automated } });
    const probed = await waitForApp(tenantNs, "probe", (a) => conditionOf(a, "Ready")?.status === "False");
    const message = conditionOf(probed, "Ready")?.message ?? "";
    expect(message).toMatch(/forbidden/i);
    expect(message).not.toContain(trustedNs);
    expect(JSON.stringify(probed.status)).not.toContain(trustedNs);
  });
});
