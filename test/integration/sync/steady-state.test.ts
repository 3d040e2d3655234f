import { expect, it } from "vitest";
import { applyApplication, configMapYAML, deploymentYAML, getApplication, serviceYAML, waitForReady } from "../../support/apps.js";
import { useTestEnvironment } from "../../support/env.js";

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
