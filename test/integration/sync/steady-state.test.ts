import { expect, it } from "vitest";
import { applyApplication, configMapYAML, deploymentYAML, getApplication, serviceYAML, waitForReady } from "../../support/apps.js";
import { useTestEnvironment } from "../../support/env.js";
import { getJSON, kubectl, waitFor } from "../../support/kube.js";
import { startTestOperator } from "../../support/operator.js";

// Its own operator, so its request counters see only this app.
const env = useTestEnvironment("steady");

it("makes zero API writes and shows Synced when reconciles find nothing changed", async () => {
  const repoURL = await env.git.createRepo("quiet");
  const rev = await env.git.commit("quiet", {
    files: {
      "web.yaml": deploymentYAML("web"),
      "svc.yaml": serviceYAML("web"),
      "cm.yaml": configMapYAML("quiet", { k: "v" }),
      "sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: quiet\n",
      "role.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: quiet\nrules:\n  - apiGroups: [\"\"]\n    resources: [configmaps]\n    verbs: [get]\n",
    },
  });
  await applyApplication({ namespace: env.ns, name: "quiet", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "1s", syncPolicy: { automated: { prune: true, selfHeal: true } } } });
  await waitForReady(env.ns, "quiet", rev);
  await new Promise((r) => setTimeout(r, 3000)); // rollout status updates settle
  const before = { ...env.op.rest.counts };
  const gitBefore = env.git.requests;
  const appBefore = await getApplication(env.ns, "quiet");
  await new Promise((r) => setTimeout(r, 5000)); // ~5 polls at interval 1s
  const delta = Object.fromEntries(Object.keys({ ...env.op.rest.counts, ...before }).map((k) => [k, (env.op.rest.counts[k] ?? 0) - (before[k] ?? 0)]));
  console.log(`API requests by verb during 5 s at rest: ${JSON.stringify(delta)}; git requests: ${env.git.requests - gitBefore}`);
  for (const verb of ["POST", "PUT", "PATCH", "DELETE", "DRYRUN"]) expect(delta[verb] ?? 0, verb).toBe(0);
  const appAfter = await getApplication(env.ns, "quiet");
  expect(appAfter?.metadata.resourceVersion).toBe(appBefore?.metadata.resourceVersion);
  expect(appAfter?.status?.sync?.status).toBe("Synced");
  // polls still happened: the head was checked against the Git server
  expect(env.git.requests - gitBefore).toBeGreaterThan(0);
});

it("after a restart (a fresh drift memory) dry-runs nothing that is still in sync, and still heals drift made while it was down", async () => {
  const repoURL = await env.git.createRepo("restart");
  const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: restart\nstringData:\n  k: v\n";
  const rev = await env.git.commit("restart", { files: { "web.yaml": deploymentYAML("rs-web"), "cm.yaml": configMapYAML("rs-cm", { k: "v" }), "drifty.yaml": configMapYAML("rs-drifty", { k: "git" }), "secret.yaml": secret } });
  await applyApplication({ namespace: env.ns, name: "restart", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "1h", syncPolicy: { automated: { prune: true, selfHeal: true } } } });
  const synced = await waitForReady(env.ns, "restart", rev);
  // the hashes are recorded for every object but the Secret (a hash of its values would invite guessing them)
  expect(synced.status?.resources?.filter((r) => r.syncHash).map((r) => r.name).sort()).toEqual(["rs-cm", "rs-drifty", "rs-web"]);

  // "restart": a new operator with a new drift memory; a declared field drifts while it is down
  await env.op.stop();
  await kubectl(["patch", "configmap", "rs-drifty", "-n", env.ns, "--type=merge", "-p", '{"data":{"k":"by hand"}}']);
  env.op = await startTestOperator({ namespace: env.ns });
  await waitFor(async () => (await getJSON<{ data: Record<string, string> }>(["configmap", "rs-drifty", "-n", env.ns]))?.data.k === "git", { what: "drift healed after the restart" });
  await waitForReady(env.ns, "restart", rev);
  // the dry-runs were for the drifted object and the Secret only, never for the objects still in sync
  console.log(`after a restart: ${env.op.rest.counts.DRYRUN ?? 0} dry-run(s) for 4 objects (2 unchanged, 1 drifted, 1 Secret)`);
  expect(env.op.rest.counts.DRYRUN ?? 0).toBe(2);
});
