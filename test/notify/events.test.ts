import { describe, expect, it } from "vitest";
import type { Application, ApplicationStatus } from "../../src/model/application.js";
import { appEvent } from "../../src/notify/events.js";
import { notifierWants, selectorMatches } from "../../src/notify/match.js";
import type { Notifier } from "../../src/notify/types.js";

const A = "a".repeat(40), B = "b".repeat(40);
const t = "2025-01-01T00:00:00Z";
const app = (status: ApplicationStatus, labels: Record<string, string> = {}, namespace = "ns-a"): Application => ({
  apiVersion: "plumb.dev/v1alpha1", kind: "Application", metadata: { name: "web", namespace, labels }, spec: { source: { repoURL: "https://github.com/acme/web.git" } }, status,
});
const ready = (status: "True" | "False", reason: string) => [{ type: "Ready", status, reason, message: reason, lastTransitionTime: t }];

describe("appEvent", () => {
  it.each([
    ["an operation Running a new revision", { operationState: { phase: "Running", revision: B, startedAt: t }, lastHealthyRevision: A, conditions: ready("True", "Succeeded") }, "Progressing", B],
    ["Ready=True", { sync: { status: "Synced", revision: A }, conditions: ready("True", "Succeeded") }, "Synced", A],
    ["a rollback in effect", { sync: { status: "Synced", revision: A }, failedRevision: B, conditions: ready("False", "RolledBack") }, "RolledBack", B],
    ["a failed health check", { sync: { status: "OutOfSync", revision: B }, operationState: { phase: "Failed", revision: B }, conditions: ready("False", "HealthCheckFailed") }, "Degraded", B],
    ["a Degraded app", { sync: { status: "Synced", revision: A }, conditions: ready("False", "Degraded") }, "Degraded", A],
    ["a failed apply", { sync: { status: "OutOfSync", revision: B }, operationState: { phase: "Failed", revision: B }, conditions: ready("False", "ApplyFailed") }, "Failed", B],
  ] as const)("%s", (_what, status, event, revision) => {
    expect(appEvent(app(status as ApplicationStatus))).toMatchObject({ event, revision });
  });

  it.each([
    ["a rollback (or self-heal) running the last healthy revision", { operationState: { phase: "Running", revision: A }, lastHealthyRevision: A, conditions: ready("False", "HealthCheckFailed"), sync: { status: "OutOfSync", revision: B } }, "Degraded"],
    ["OutOfSync", { sync: { status: "OutOfSync", revision: A }, conditions: ready("False", "OutOfSync") }, undefined],
    ["Progressing without an operation", { sync: { status: "Synced", revision: A }, conditions: ready("False", "Progressing") }, undefined],
  ] as const)("%s is not Progressing", (_what, status, event) => {
    expect(appEvent(app(status as ApplicationStatus))?.event).toBe(event);
  });
});

describe("matching", () => {
  const notifier = (spec: Partial<Notifier["spec"]>, namespace = "ns-a"): Notifier => ({ apiVersion: "plumb.dev/v1alpha1", kind: "Notifier", metadata: { name: "n", namespace }, spec: { type: "webhook", ...spec } });
  const synced = { sync: { status: "Synced" as const, revision: A }, conditions: ready("True", "Succeeded") };

  it.each([
    [{}, {}, true],
    [{ matchLabels: { team: "a" } }, { team: "a" }, true],
    [{ matchLabels: { team: "a" } }, { team: "b" }, false],
    [{ matchExpressions: [{ key: "tier", operator: "In" as const, values: ["web", "api"] }] }, { tier: "api" }, true],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn" as const, values: ["web"] }] }, { tier: "web" }, false],
    [{ matchExpressions: [{ key: "tier", operator: "Exists" as const }] }, {}, false],
    [{ matchExpressions: [{ key: "tier", operator: "DoesNotExist" as const }] }, {}, true],
  ])("selector %j on labels %j: %s", (selector, labels, want) => expect(selectorMatches(selector, labels)).toBe(want));

  it("filters by events (default all)", () => {
    expect(notifierWants(notifier({}), app(synced), "Synced")).toBe(true);
    expect(notifierWants(notifier({ events: ["Failed"] }), app(synced), "Synced")).toBe(false);
  });

  it("never matches an app of another namespace", () => {
    expect(notifierWants(notifier({}, "ns-a"), app(synced, {}, "ns-b"), "Synced")).toBe(false);
  });
});
