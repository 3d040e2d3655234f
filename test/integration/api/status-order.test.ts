import { afterAll, beforeAll, expect, it } from "vitest";
import type { RestRequest } from "../../../src/kube/rest.js";
import { applyApplication, conditionOf, deploymentYAML, getApplication, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace } from "../../support/kube.js";
import { startApiOperator, type ApiOperator } from "./harness.js";

// Found through the API tests: under load a rollout-progress status write could
// land after the reconcile's final status and leave a synced app "OutOfSync"
// (and drop the history entry just added) until the next reconcile.
let git: GitServer;
let op: ApiOperator;
let ns: string;

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("status-order");
  op = await startApiOperator({ namespace: ns, flags: { "api-auth": "none" } });
});

afterAll(async () => {
  await op?.stop();
  await git?.stop();
});

it("keeps the final status and history when a progress status write is slow", async () => {
  const rest = op.running.parts.rest;
  const original = rest.request.bind(rest);
  // every "Progressing" status write takes 3 s to reach the API server
  rest.request = (<T>(req: RestRequest): Promise<T> => {
    const health = (req.body as { status?: { health?: { status?: string } } } | undefined)?.status?.health?.status;
    const slow = req.method === "PATCH" && req.path.endsWith("/status") && health === "Progressing";
    return slow ? new Promise((r) => setTimeout(r, 3_000)).then(() => original<T>(req)) : original<T>(req);
  }) as typeof rest.request;
  const repoURL = await git.createRepo("slow-status");
  const rev = await git.commit("slow-status", { files: { "web.yaml": deploymentYAML("web", { replicas: 1 }) } });
  await applyApplication({ namespace: ns, name: "web", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "1h", syncPolicy: { automated: {} } } });
  await waitForReady(ns, "web", rev);
  await new Promise((r) => setTimeout(r, 5_000)); // past any delayed write
  const app = await getApplication(ns, "web");
  expect(conditionOf(app, "Ready")).toMatchObject({ status: "True", reason: "Succeeded" });
  expect(app?.status?.sync?.status).toBe("Synced");
  expect(app?.status?.history?.map((h) => h.revision)).toEqual([rev]);
});
