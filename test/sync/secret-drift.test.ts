import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/model/object.js";
import { DriftMemory } from "../../src/sync/drift-memory.js";

// A Secret declared with stringData: the server folds it into data, so drift
// there must not be vouched for (found by the secret-canary reliability test).
const desired: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n" }, data: { password: "cHc=" }, stringData: { token: "t0" } };
const live = (token: string, rv: string): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "n", resourceVersion: rv }, data: { password: "cHc=", token: Buffer.from(token).toString("base64") }, type: "Opaque" });

describe("DriftMemory and a Secret's stringData", () => {
  it("does not vouch for a live edit of a key the manifest sets through stringData", () => {
    const memory = new DriftMemory();
    memory.remember("id", desired, live("t0", "1"));
    expect(memory.vouches("id", desired, live("t0", "2"))).toBe(true);
    expect(memory.vouches("id", desired, live("edited by hand", "3"))).toBe(false);
  });
});
