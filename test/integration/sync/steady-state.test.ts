import { afterAll, beforeAll, expect, it } from "vitest";
import { applyApplication, configMapYAML, deploymentYAML, getApplication, serviceYAML, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace } from "../../support/kube.js";
import { startTestOperator, type TestOperator } from "../../support/operator.js";

// Its own operator, so its request counters see only this app.
let git: GitServer;
let op: TestOperator;
let ns: string;

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("steady");
  op = await startTestOperator({ namespace: ns });
});

afterAll(async () => {
  await op?.stop();
  await git?.stop();
});

it("makes zero API writes and shows Synced when reconciles find nothing changed", async () => {
  const repoURL = await git.createRepo("quiet");
  const rev = await git.commit("quiet", {
    files: {
      "web.yaml": deploymentYAML("web"),
      "svc.yaml": serviceYAML("web"),
      "cm.yaml": configMapYAML("quiet", { k: "v" }),
      "sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: quiet\n",
      "role.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: quiet\nrules:\n  - apiGroups: [\"\"]\n    resources: [configmaps]\n    verbs: [get]\n",
    },
  });
  await applyApplication({ namespace: ns, name: "quiet", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "1s", syncPolicy: { automated: { prune: true, selfHeal: true } } } });
  await waitForReady(ns, "quiet", rev);
  await new Promise((r) => setTimeout(r, 3000)); // rollout status updates settle
  const before = { ...op.rest.counts };
  const gitBefore = git.requests;
  const appBefore = await getApplication(ns, "quiet");
  await new Promise((r) => setTimeout(r, 5000)); // ~5 polls at interval 1s
  const delta = Object.fromEntries(Object.keys({ ...op.rest.counts, ...before }).map((k) => [k, (op.rest.counts[k] ?? 0) - (before[k] ?? 0)]));
  console.log(`API requests by verb during 5 s at rest: ${JSON.stringify(delta)}; git requests: ${git.requests - gitBefore}`);
  for (const verb of ["POST", "PUT", "PATCH", "DELETE", "DRYRUN"]) expect(delta[verb] ?? 0, verb).toBe(0);
  const appAfter = await getApplication(ns, "quiet");
  expect(appAfter?.metadata.resourceVersion).toBe(appBefore?.metadata.resourceVersion);
  expect(appAfter?.status?.sync?.status).toBe("Synced");
  // polls still happened: the head was checked against the Git server
  expect(git.requests - gitBefore).toBeGreaterThan(0);
});
