import { describe, expect, it } from "vitest";
import { resourceOf } from "../../src/kube/rest.js";

describe("resourceOf: the resource a request counts under", () => {
  it.each([
    ["/api/v1/namespaces/a/configmaps/x", "configmaps"],
    ["/api/v1/namespaces/a/configmaps", "configmaps"],
    ["/api/v1/namespaces/a", "namespaces"],
    ["/api/v1/namespaces", "namespaces"],
    ["/apis/apps/v1/namespaces/a/deployments/web", "deployments.apps"],
    ["/apis/coordination.k8s.io/v1/namespaces/plumb-system/leases/plumb-leader", "leases.coordination.k8s.io"],
    ["/apis/plumb.dev/v1alpha1/namespaces/a/applications/web/status", "applications.plumb.dev/status"],
    ["/apis/rbac.authorization.k8s.io/v1/clusterroles/x", "clusterroles.rbac.authorization.k8s.io"],
    ["/apis/apps/v1", "discovery"],
    ["/version", "other"],
  ])("%s → %s", (path, want) => expect(resourceOf(path)).toBe(want));
});
