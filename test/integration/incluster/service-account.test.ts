import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyApplication, conditionOf, configMapYAML, deploymentYAML, waitForApp, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { installDeploy, leaseHolder, PLUMB_NAMESPACE, PLUMB_SERVICE_ACCOUNT, serverURL, serviceAccountDir } from "../../support/incluster.js";
import { adminRest, createNamespace, getJSON, kubectl } from "../../support/kube.js";
import { startOperatorProcess, type OperatorProcess } from "../../support/operator-process.js";

// The operator as its own process with exactly the identity deploy/ gives it
// (a token of the plumb ServiceAccount, the cluster CA, no admin kubeconfig):
// what deploy/ grants must be enough, and what it does not grant must fail
// clearly and change nothing.

let git: GitServer;
let op: OperatorProcess;
let appNs: string;
let saDir: string;
const cacheDir = mkdtempSync(join(tmpdir(), "plumb-sa-cache-"));
const identity = `sa-op-${process.pid}`;
const automated = { automated: { prune: true, selfHeal: true } };

beforeAll(async () => {
  await installDeploy();
  git = await startGitServer();
  appNs = await createNamespace("sa-apps");
  saDir = await serviceAccountDir(PLUMB_NAMESPACE, PLUMB_SERVICE_ACCOUNT);
  op = startOperatorProcess({
    identity,
    flags: {
      "service-account-dir": saDir,
      server: serverURL(),
      namespace: appNs,
      // the Lease deploy/ lets it use: plumb-leader in plumb-system
      "lease-namespace": PLUMB_NAMESPACE,
      "lease-duration": "4",
      "renew-deadline": "3",
      "retry-period": "1",
      "cache-dir": cacheDir,
    },
  });
  await op.waitForLog("acquired leadership", { timeoutMs: 30_000 });
});

afterAll(async () => {
  await op?.kill();
  await git?.stop();
  rmSync(cacheDir, { recursive: true, force: true });
  if (saDir) rmSync(saDir, { recursive: true, force: true });
});

describe("the operator as the deploy/ ServiceAccount", () => {
  it("holds the plumb-leader Lease in its namespace and syncs an Application", async () => {
    expect(await leaseHolder(adminRest(), PLUMB_NAMESPACE, "plumb-leader")).toBe(identity);
    const dest = await createNamespace("sa-dest");
    const repoURL = await git.createRepo("web");
    const rev = await git.commit("web", { files: { "cm.yaml": configMapYAML("settings", { mode: "sa" }), "web.yaml": deploymentYAML("web", { replicas: 1 }) } });
    await applyApplication({ namespace: appNs, name: "web", spec: { source: { repoURL }, destination: { namespace: dest }, syncPolicy: automated } });
    const app = await waitForReady(appNs, "web", rev);
    expect(app.status?.health?.status).toBe("Healthy");
    const cm = await getJSON<{ data: Record<string, string>; metadata: { labels: Record<string, string> } }>(["configmap", "settings", "-n", dest]);
    expect(cm?.data.mode).toBe("sa");
    expect(cm?.metadata.labels["plumb.dev/application"]).toBe("web");
    const events = await kubectl(["get", "events", "-n", appNs, "--field-selector", "involvedObject.name=web", "-o", "jsonpath={.items[*].reason}"]);
    expect(events).toContain("Synced");
  });

  it("reports what RBAC denies, naming the object, and writes nothing of that app", async () => {
    // PriorityClass: neither watchable by the controller role nor writable by the applier role
    const dest = await createNamespace("sa-denied");
    const repoURL = await git.createRepo("denied");
    const pc = `plumb-test-${appNs}`;
    await git.commit("denied", {
      files: {
        "cm.yaml": configMapYAML("harmless", { k: "v" }),
        "priority.yaml": `apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: ${pc}\nvalue: 1000\n`,
      },
    });
    await applyApplication({ namespace: appNs, name: "denied", spec: { source: { repoURL }, destination: { namespace: dest }, syncPolicy: automated } });
    const app = await waitForApp(appNs, "denied", (a) => conditionOf(a, "Ready")?.status === "False" && /forbidden/i.test(conditionOf(a, "Ready")?.message ?? ""), { what: "denied Ready=False forbidden" });
    const ready = conditionOf(app, "Ready")!;
    console.log(`RBAC denial as reported: ${ready.reason}: ${ready.message}`);
    expect(ready.message).toContain(`PriorityClass ${pc} (priority.yaml:1)`);
    expect(ready.message).toContain(`system:serviceaccount:${PLUMB_NAMESPACE}:${PLUMB_SERVICE_ACCOUNT}`);
    // the watch cache gave up on the kind instead of waiting forever
    expect(op.count("cannot watch this kind (grant list/watch to the plumb-controller ClusterRole); reading it with GETs instead", (l) => l.kind === "scheduling.k8s.io/PriorityClass")).toBe(1);
    expect(await getJSON(["priorityclass", pc])).toBeUndefined();
    expect(await getJSON(["configmap", "harmless", "-n", dest])).toBeUndefined();
  });

  it("isolates tenants: an app's ServiceAccount limited to namespace A cannot create anything in namespace B", async () => {
    const [a, b] = [await createNamespace("tenant-a"), await createNamespace("tenant-b")];
    await kubectl(["create", "serviceaccount", "deployer", "-n", appNs]);
    await kubectl(["create", "role", "deployer", "-n", a, "--verb=get,list,watch,create,update,patch,delete", "--resource=configmaps"]);
    await kubectl(["create", "rolebinding", "deployer", "-n", a, "--role=deployer", `--serviceaccount=${appNs}:deployer`]);
    const repoURL = await git.createRepo("tenant");
    await git.commit("tenant", {
      files: {
        "mine.yaml": configMapYAML("mine", { k: "a" }, `  namespace: ${a}\n`),
        "intruder.yaml": configMapYAML("intruder", { k: "b" }, `  namespace: ${b}\n`),
      },
    });
    const spec = { source: { repoURL }, destination: { namespace: a }, serviceAccountName: "deployer", interval: "2s", syncPolicy: automated };
    await applyApplication({ namespace: appNs, name: "tenant", spec });
    const app = await waitForApp(appNs, "tenant", (x) => conditionOf(x, "Ready")?.status === "False" && /forbidden/i.test(conditionOf(x, "Ready")?.message ?? ""), { what: "tenant Ready=False forbidden" });
    const message = conditionOf(app, "Ready")!.message;
    console.log(`tenant isolation as reported: ${message}`);
    expect(message).toContain(`ConfigMap ${b}/intruder`);
    expect(message).toContain("intruder.yaml");
    expect(message).toContain(`system:serviceaccount:${appNs}:deployer`);
    expect(await kubectl(["get", "all,configmaps", "-n", b, "-l", "plumb.dev/application", "-o", "name"])).toBe("");
    expect(await getJSON(["configmap", "intruder", "-n", b])).toBeUndefined();
    // within its own namespace the same ServiceAccount syncs (impersonation works with deploy/'s grant)
    const fixed = await git.commit("tenant", { files: { "intruder.yaml": null } });
    await waitForReady(appNs, "tenant", fixed);
    expect((await getJSON<{ data: Record<string, string> }>(["configmap", "mine", "-n", a]))?.data.k).toBe("a");
  });
});
