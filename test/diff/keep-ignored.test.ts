import { describe, expect, it } from "vitest";
import { keepIgnoredFields } from "../../src/diff/index.js";
import type { IgnoreDifference, KubeObject } from "../../src/model/index.js";

const deployment = (replicas: number | undefined, image: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "a" },
  spec: { ...(replicas === undefined ? {} : { replicas }), template: { spec: { containers: [{ name: "main", image }] } }, ...extra },
});
const replicas: IgnoreDifference[] = [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }];

describe("keepIgnoredFields", () => {
  it("applies Git's change with the ignored field's live value", () => {
    const out = keepIgnoredFields(deployment(1, "web:2"), deployment(3, "web:1"), replicas);
    expect(out.spec).toMatchObject({ replicas: 3, template: { spec: { containers: [{ image: "web:2" }] } } });
  });

  it("drops an ignored field the live object does not have, and leaves the input unchanged", () => {
    const desired = deployment(1, "web:2");
    expect(keepIgnoredFields(desired, deployment(undefined, "web:1"), replicas).spec).not.toHaveProperty("replicas");
    expect(desired.spec).toMatchObject({ replicas: 1 });
  });

  it("creates the maps on the way to a live value Git does not declare", () => {
    const ignore: IgnoreDifference[] = [{ group: "apps", kind: "Deployment", jsonPointers: ["/metadata/annotations/owner~1team"] }];
    const live = { ...deployment(1, "web:1"), metadata: { name: "web", namespace: "a", annotations: { "owner/team": "blue" } } };
    expect(keepIgnoredFields(deployment(1, "web:2"), live, ignore).metadata.annotations).toEqual({ "owner/team": "blue" });
  });

  it("follows list indexes that exist and leaves other kinds, names and the whole-object pointer alone", () => {
    const image: IgnoreDifference[] = [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/template/spec/containers/0/image", "/spec/template/spec/containers/5/image"] }];
    expect(keepIgnoredFields(deployment(1, "web:2"), deployment(1, "web:hotfix"), image).spec).toMatchObject({ template: { spec: { containers: [{ image: "web:hotfix" }] } } });
    const desired = deployment(1, "web:2");
    expect(keepIgnoredFields(desired, deployment(3, "web:1"), [{ group: "apps", kind: "StatefulSet", jsonPointers: ["/spec/replicas"] }])).toBe(desired);
    expect(keepIgnoredFields(desired, deployment(3, "web:1"), [{ ...replicas[0]!, name: "other" }])).toBe(desired);
    expect(keepIgnoredFields(desired, deployment(3, "web:1"), [{ group: "apps", kind: "Deployment", jsonPointers: [""] }])).toEqual(desired);
  });
});
