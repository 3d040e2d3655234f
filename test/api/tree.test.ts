import { describe, expect, it } from "vitest";
import { resourceTreeOf } from "../../src/api/tree.js";
import type { KubeObject } from "../../src/model/object.js";
import { makeApp } from "./fakes.js";

const deployment: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "team-a", uid: "d1" }, spec: {} };
const rs: KubeObject = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-abc", namespace: "team-a", uid: "r1", ownerReferences: [{ uid: "d1" }] }, spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 0 } };
const pod = (name: string, ready: boolean): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "team-a", uid: name, ownerReferences: [{ uid: "r1" }] },
  status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});
const stranger = pod("other", true);
stranger.metadata.ownerReferences = [{ uid: "someone-else" }];

describe("resourceTreeOf", () => {
  it("nests what each inventory object owns below it, by ownerReferences uid, with health judged per object", () => {
    const app = makeApp({
      namespace: "team-a",
      name: "web",
      status: {
        resources: [
          { group: "", version: "v1", kind: "ConfigMap", namespace: "team-a", name: "cfg", status: "Synced", health: { status: "Healthy" } },
          { group: "apps", version: "v1", kind: "Deployment", namespace: "team-a", name: "web", status: "OutOfSync", health: { status: "Degraded", message: "0/2 ready" } },
        ],
      },
    });
    const tree = resourceTreeOf(app, { parents: [deployment], owned: [rs, pod("web-abc-2", false), pod("web-abc-1", true), stranger] });
    expect(tree.map((n) => [n.kind, n.name, n.sync, n.health.status])).toEqual([["ConfigMap", "cfg", "Synced", "Healthy"], ["Deployment", "web", "OutOfSync", "Degraded"]]);
    expect(tree[0]!.children).toEqual([]);
    const [replicaSet] = tree[1]!.children;
    expect(replicaSet).toMatchObject({ kind: "ReplicaSet", name: "web-abc", children: [{ kind: "Pod", name: "web-abc-1" }, { kind: "Pod", name: "web-abc-2" }] });
    expect(replicaSet!.children.map((p) => p.health.status)).toEqual(["Healthy", "Progressing"]);
    expect(replicaSet!.sync).toBeUndefined();
  });
});
