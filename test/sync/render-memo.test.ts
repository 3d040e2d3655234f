import { describe, expect, it } from "vitest";
import { RenderMemo, type DesiredObject } from "../../src/sync/desired.js";

const desired = (name: string): DesiredObject[] => [
  { key: { group: "", kind: "ConfigMap", namespace: "shop", name }, source: { file: "cm.yaml", line: 1 }, object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "shop" }, data: { a: "1" } } },
];

describe("RenderMemo", () => {
  it("gives back an equal copy, never the stored objects themselves", () => {
    const memo = new RenderMemo();
    const first = desired("web");
    memo.set("k", first);
    const again = memo.get("k")!;
    expect(again).toEqual(first);
    again[0]!.object.metadata.name = "changed";
    expect(memo.get("k")).toEqual(first);
  });

  it("forgets the least recently used renders beyond its limit", () => {
    const memo = new RenderMemo(2);
    memo.set("a", desired("a"));
    memo.set("b", desired("b"));
    memo.get("a"); // a is now more recent than b
    memo.set("c", desired("c"));
    expect(memo.get("b")).toBeUndefined();
    expect(memo.get("a")).toEqual(desired("a"));
    expect(memo.get("c")).toEqual(desired("c"));
  });
});
