import { describe, expect, it } from "vitest";
import { mergePatch } from "../../src/kube/app-store.js";

describe("mergePatch", () => {
  it("sends keys that disappeared as null, at any depth", () => {
    const current = { operationState: { phase: "Succeeded", finishedAt: "t1", startedAt: "t0" }, failedRevision: "abc" };
    const next = { operationState: { phase: "Running", startedAt: "t2" } };
    expect(mergePatch(current, next)).toEqual({ operationState: { phase: "Running", startedAt: "t2", finishedAt: null }, failedRevision: null });
  });

  it("replaces lists and scalars whole, and adds new maps as they are", () => {
    const current = { conditions: [{ type: "Ready" }, { type: "Stalled" }], sync: { status: "Synced" } };
    const next = { conditions: [{ type: "Ready" }], sync: { status: "OutOfSync", revision: "b" }, health: { status: "Healthy" } };
    expect(mergePatch(current, next)).toEqual({ conditions: [{ type: "Ready" }], sync: { status: "OutOfSync", revision: "b" }, health: { status: "Healthy" } });
  });
});
