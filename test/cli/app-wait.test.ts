import { describe, expect, it } from "vitest";
import { judge, type AppDetail } from "../../src/cli/app-wait.js";
import { formatTable } from "../../src/cli/table.js";

const app = (over: { ready?: [string, string]; health?: string; phase?: string; stalled?: boolean }): AppDetail => ({
  namespace: "team-a",
  name: "web",
  sync: { status: "Synced", revision: "a".repeat(40) },
  health: { status: over.health ?? "Healthy", message: "" },
  ...(over.ready ? { ready: { status: over.ready[0], reason: over.ready[1], message: "m" } } : {}),
  status: {
    ...(over.phase ? { operationState: { phase: over.phase as "Running" } } : {}),
    ...(over.stalled ? { conditions: [{ type: "Stalled", status: "True" as const, reason: "RenderFailed", message: "bad.yaml:3", lastTransitionTime: "" }] } : {}),
  },
});

describe("judge (plumb app wait)", () => {
  it.each([
    ["Ready", app({ ready: ["True", "Succeeded"] }), "ok"],
    ["an operation still running, even if Ready was True", app({ ready: ["True", "Succeeded"], phase: "Running" }), undefined],
    ["a failed operation", app({ ready: ["False", "HealthCheckFailed"], phase: "Failed", health: "Degraded" }), "failed"],
    ["Stalled", app({ ready: ["False", "RenderFailed"], stalled: true }), "failed"],
    ["Degraded with nothing running", app({ ready: ["False", "Degraded"], health: "Degraded" }), "failed"],
    ["a rollback pinned below Git's head", app({ ready: ["False", "RolledBack"] }), "failed"],
    ["Progressing", app({ ready: ["False", "Progressing"], health: "Progressing" }), undefined],
    ["OutOfSync (a manual app nobody synced yet)", app({ ready: ["False", "OutOfSync"] }), undefined],
  ])("%s", (_name, detail, result) => {
    expect(judge(detail)?.result).toBe(result);
  });
});

describe("formatTable", () => {
  it("pads columns like kubectl and prints <none> for empty cells", () => {
    expect(formatTable(["NAME", "SYNC", "MESSAGE"], [["web", "Synced", undefined], ["a-long-name", "OutOfSync", "live state differs"]])).toBe(
      "NAME          SYNC        MESSAGE\nweb           Synced      <none>\na-long-name   OutOfSync   live state differs\n",
    );
  });
});
