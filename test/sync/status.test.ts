import { describe, expect, it } from "vitest";
import type { ApplicationStatus } from "../../src/model/application.js";
import { nextStatus, type ReconcileFacts } from "../../src/sync/status.js";

const t0 = new Date("2026-01-01T00:00:00Z");
const t1 = new Date("2026-01-01T00:05:00Z");
const synced: ReconcileFacts = { generation: 3, headRevision: "a".repeat(40), deployedRevision: "a".repeat(40), sync: "Synced", health: { status: "Healthy", message: "" }, resources: [] };
const ready = (s: ApplicationStatus) => s.conditions?.find((c) => c.type === "Ready");

describe("nextStatus", () => {
  it("is Ready when the head is applied, synced and healthy", () => {
    const s = nextStatus(undefined, synced, t0);
    expect(ready(s)).toMatchObject({ status: "True", reason: "Succeeded", observedGeneration: 3 });
    expect(s.sync).toEqual({ status: "Synced", revision: "a".repeat(40), shortRevision: "aaaaaaa" });
    expect(s.lastHealthyRevision).toBe("a".repeat(40));
  });

  it("gives the same status for the same facts, so nothing is written at rest", () => {
    const first = nextStatus(undefined, synced, t0);
    expect(nextStatus(first, synced, t1)).toEqual(first);
  });

  it("keeps lastTransitionTime while a condition's status holds and moves it when it flips", () => {
    const first = nextStatus(undefined, synced, t0);
    const failed = nextStatus(first, { ...synced, failure: { reason: "RenderFailed", message: "a.yaml:3: bad", terminal: true } }, t1);
    expect(ready(failed)).toMatchObject({ status: "False", reason: "RenderFailed", lastTransitionTime: t1.toISOString() });
    expect(failed.conditions?.find((c) => c.type === "Stalled")).toMatchObject({ status: "True", reason: "RenderFailed" });
    expect(failed.conditions?.find((c) => c.type === "Reconciling")?.lastTransitionTime).toBe(t0.toISOString());
  });

  it("adds a history entry per operation, newest first, at most ten", () => {
    let s: ApplicationStatus | undefined;
    for (let i = 0; i < 12; i++) {
      const rev = String(i).padStart(40, "0");
      s = nextStatus(s, { ...synced, deployedRevision: rev, operation: { phase: "Succeeded", revision: rev, message: "", startedAt: t0.toISOString(), trigger: "Automated" } }, t0);
    }
    expect(s!.history).toHaveLength(10);
    expect(s!.history![0]).toMatchObject({ id: 12, revision: String(11).padStart(40, "0") });
  });

  it("says RolledBack and remembers the failed revision after a rollback", () => {
    const s = nextStatus(undefined, { ...synced, rolledBack: { from: "b".repeat(40), to: "a".repeat(40) } }, t0);
    expect(ready(s)).toMatchObject({ status: "False", reason: "RolledBack" });
    expect(s.failedRevision).toBe("b".repeat(40));
  });

  it("reports Reconciling while a rollout waits", () => {
    const s = nextStatus(undefined, { ...synced, sync: "OutOfSync", health: { status: "Progressing", message: "1 of 3" }, progressing: "waiting for wave 0: 1 of 3" }, t0);
    expect(s.conditions?.find((c) => c.type === "Reconciling")).toMatchObject({ status: "True", message: "waiting for wave 0: 1 of 3" });
    expect(ready(s)?.status).toBe("False");
  });
});
