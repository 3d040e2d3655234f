import { describe, expect, it } from "vitest";
import { diffLines, formatHunks, renderUnifiedDiff } from "../../src/diff/index.js";
import { fixture, withField } from "./fixtures.js";

const live = fixture("deployment-live");
const dryRun = fixture("deployment-dry-run");

describe("renderUnifiedDiff", () => {
  it("is empty when only ignored fields differ", () => {
    expect(renderUnifiedDiff({ key: "apps/Deployment/guestbook/web", live, desired: dryRun })).toBe("");
  });

  it("shows a changed replica count as one hunk with three lines of context, keys sorted", () => {
    const desired = withField(dryRun, "spec.replicas", 3);
    const diff = renderUnifiedDiff({ key: "apps/Deployment/guestbook/web", live, desired });
    expect(diff).toBe(
      [
        "--- live/apps/Deployment/guestbook/web",
        "+++ desired/apps/Deployment/guestbook/web",
        "@@ -11,7 +11,7 @@",
        "   namespace: guestbook",
        " spec:",
        "   progressDeadlineSeconds: 600",
        "-  replicas: 2",
        "+  replicas: 3",
        "   revisionHistoryLimit: 10",
        "   selector:",
        "     matchLabels:",
        "",
      ].join("\n"),
    );
  });

  it("diffs against /dev/null for a create and a prune", () => {
    expect(renderUnifiedDiff({ key: "k", desired: dryRun })).toMatch(/^--- \/dev\/null\n\+\+\+ desired\/k\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: apps\/v1\n/);
    expect(renderUnifiedDiff({ key: "k", live })).toMatch(/^--- live\/k\n\+\+\+ \/dev\/null\n@@ -1,\d+ \+0,0 @@\n-apiVersion: apps\/v1\n/);
  });
});

describe("diffLines", () => {
  const show = (before: string, after: string) =>
    diffLines(before.split(""), after.split(""))
      .map((e) => `${e.op}${e.line}`)
      .join(" ");

  it.each([
    ["", "", ""],
    ["abc", "abc", " a  b  c"],
    ["abc", "abxc", " a  b +x  c"],
    ["abc", "ac", " a -b  c"],
    ["abc", "xyz", "-a -b -c +x +y +z"],
  ])("diffs %j against %j", (before, after, want) => {
    expect(show(before, after)).toBe(want);
  });

  it("produces a shortest edit script that rebuilds both sides", () => {
    const [before, after] = ["abcabba".split(""), "cbabac".split("")];
    const edits = diffLines(before, after);
    expect(edits.filter((e) => e.op !== "+").map((e) => e.line)).toEqual(before);
    expect(edits.filter((e) => e.op !== "-").map((e) => e.line)).toEqual(after);
    expect(edits.filter((e) => e.op !== " ")).toHaveLength(5); // 7 + 6 - 2 × LCS of 4
  });

  it("splits distant changes into separate hunks", () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const after = before.map((l, i) => (i === 1 || i === 18 ? `${l} changed` : l));
    const headers = formatHunks(diffLines(before, after)).filter((l) => l.startsWith("@@"));
    expect(headers).toEqual(["@@ -1,5 +1,5 @@", "@@ -16,5 +16,5 @@"]);
  });
});
