import { describe, expect, it } from "vitest";
import type { Application, ApplicationStatus } from "../../src/model/application.js";
import type { KubeObject } from "../../src/model/object.js";
import { keyOf } from "../../src/model/resource-key.js";
import { operationToRun } from "../../src/sync/operation.js";
import { planSync, type ComparedObject, type OrphanObject } from "../../src/sync/plan.js";
import { compared, trackingIdOf } from "./plan-fixtures.js";
import type { FetchedSource } from "../../src/sync/source.js";
import type { ReconcileFacts } from "../../src/sync/status.js";
import { verdict } from "../../src/sync/verdict.js";

const HEAD = "b".repeat(40);
const OLD = "a".repeat(40);
const cm = (name: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns", uid: `uid-${name}`, annotations: { "plumb.dev/tracking-id": trackingIdOf({ group: "", kind: "ConfigMap", namespace: "ns", name }) } } });
const orphan = (o: KubeObject): OrphanObject => ({ key: keyOf(o), apiVersion: "v1", live: o });
const plan = (c: ComparedObject[], opts: { orphans?: OrphanObject[]; prune?: boolean } = {}) => planSync({ compared: c, orphans: opts.orphans ?? [], trackingIdOf, prune: opts.prune ?? true });

const app = (status: ApplicationStatus = {}, spec: Partial<Application["spec"]> = {}): Application => ({
  apiVersion: "plumb.dev/v1alpha1",
  kind: "Application",
  metadata: { name: "app", namespace: "ns", generation: 2 },
  spec: { source: { repoURL: "http://git/r.git" }, syncPolicy: { automated: { prune: true, selfHeal: true } }, ...spec },
  status: { observedGeneration: 2, sync: { status: "Synced", revision: OLD }, ...status },
});
const facts: ReconcileFacts = { generation: 2, headRevision: HEAD, sync: "Unknown", health: { status: "Healthy", message: "" } };
const observed = { resources: [], health: { status: "Healthy" as const, message: "" } };
const base = { facts, observed, revision: HEAD, head: HEAD, target: { revision: HEAD }, wrote: false, operated: false };

describe("verdict", () => {
  it("is Synced at the head when nothing needed writing", () => {
    const v = verdict({ ...base, app: app(), plan: plan([compared(cm("a"), "skip")]) });
    expect(v).toMatchObject({ sync: "Synced", deployedRevision: HEAD });
    expect(v.failure).toBeUndefined();
  });

  it("is OutOfSync and keeps the deployed revision when an operation did not succeed", () => {
    const v = verdict({ ...base, app: app(), plan: plan([compared(cm("a"), "update")]) });
    expect(v).toMatchObject({ sync: "OutOfSync", deployedRevision: OLD });
  });

  it("is Synced once the operation succeeded", () => {
    const f: ReconcileFacts = { ...facts, operation: { phase: "Succeeded", revision: HEAD, message: "", startedAt: "", trigger: "Automated" } };
    const v = verdict({ ...base, facts: f, app: app(), plan: plan([compared(cm("a"), "update")]), wrote: true, operated: true });
    expect(v).toMatchObject({ sync: "Synced", deployedRevision: HEAD, operation: { phase: "Succeeded" } });
  });

  it("drops the operation of a reconcile that ran none", () => {
    const f: ReconcileFacts = { ...facts, operation: { phase: "Succeeded", revision: HEAD, message: "", startedAt: "", trigger: "Automated" } };
    expect(verdict({ ...base, facts: f, app: app(), plan: plan([]) }).operation).toBeUndefined();
  });

  it("names the first conflict and is never Synced with one", () => {
    const v = verdict({ ...base, app: app(), plan: plan([compared(cm("a"), "conflict"), compared(cm("b"), "skip")]) });
    expect(v.sync).toBe("OutOfSync");
    expect(v.failure).toMatchObject({ reason: "Conflict", terminal: false });
    expect(v.failure?.message).toMatch(/ConfigMap ns\/a is owned by other\/app/);
  });

  it("is OutOfSync while objects Git dropped are kept because prune is off", () => {
    const v = verdict({ ...base, app: app(), plan: plan([compared(cm("a"), "skip")], { orphans: [orphan(cm("gone"))], prune: false }) });
    expect(v).toMatchObject({ sync: "OutOfSync", extraneous: 1 });
    expect(v.failure).toBeUndefined();
  });

  it("says PruneWithheld when an empty render keeps everything deployed", () => {
    const v = verdict({ ...base, app: app(), plan: plan([], { orphans: [orphan(cm("a")), orphan(cm("b"))] }) });
    expect(v.failure).toMatchObject({ reason: "PruneWithheld" });
    expect(v.failure?.message).toMatch(/keeping the 2 object/);
  });

  it("keeps a failed rollout of this revision standing while the app is not Healthy", () => {
    const failed = app({ operationState: { phase: "Failed", revision: HEAD, message: "wave 0 is Degraded", startedAt: "" } });
    const v = verdict({ ...base, app: failed, plan: plan([compared(cm("a"), "skip")]), observed: { resources: [], health: { status: "Degraded", message: "x" } } });
    expect(v.failure).toMatchObject({ reason: "HealthCheckFailed", message: "wave 0 is Degraded" });
    expect(verdict({ ...base, app: failed, plan: plan([compared(cm("a"), "skip")]) }).failure).toBeUndefined();
  });

  it("is Synced on a rollback target and says it rolled back", () => {
    const v = verdict({ ...base, revision: OLD, target: { revision: OLD, rollback: { from: HEAD } }, app: app(), plan: plan([compared(cm("a"), "skip")]) });
    expect(v).toMatchObject({ sync: "Synced", deployedRevision: OLD, rolledBack: { from: HEAD, to: OLD } });
  });
});

describe("operationToRun", () => {
  const source = (revision: string): FetchedSource => ({ headRevision: HEAD, revision, pathTree: "t", contentKey: "k", checkout: () => Promise.resolve("/nowhere"), objectAt: () => Promise.resolve("t"), symlinksAt: () => Promise.resolve(false) });
  const writes = plan([compared(cm("a"), "update")]);
  const none = plan([compared(cm("a"), "skip")]);

  it.each([
    ["an automated app writes a new revision", app(), {}, writes, { resume: false, trigger: "Automated" }],
    ["nothing to write, nothing to run", app(), {}, none, undefined],
    ["a manual app waits for a manual sync", app({}, { syncPolicy: {} }), {}, writes, undefined],
    ["a manual sync runs on a manual app", app({}, { syncPolicy: {} }), { manual: true }, writes, { resume: false, trigger: "Manual" }],
    ["an interrupted rollout of this revision is verified", app({ operationState: { phase: "Running", revision: HEAD, message: "", startedAt: "" } }), {}, none, { resume: true, trigger: "Automated" }],
  ] as const)("%s", (_name, a, req, p, want) => {
    expect(operationToRun({ app: a, req, plan: p, source: source(HEAD), target: { revision: HEAD } })).toEqual(want);
  });

  it("leaves drift alone without selfHeal, but applies a new revision", () => {
    const noHeal = { syncPolicy: { automated: { prune: true, selfHeal: false } } };
    const deployed = app({ sync: { status: "Synced", revision: HEAD } }, noHeal);
    expect(operationToRun({ app: deployed, req: {}, plan: writes, source: source(HEAD), target: { revision: HEAD } })).toBeUndefined();
    expect(operationToRun({ app: app({}, noHeal), req: {}, plan: writes, source: source(HEAD), target: { revision: HEAD } })).toMatchObject({ trigger: "Automated" });
  });

  it("runs a rollback as one", () => {
    expect(operationToRun({ app: app({}, { syncPolicy: {} }), req: {}, plan: writes, source: source(OLD), target: { revision: OLD, rollback: { from: HEAD } } })).toEqual({ resume: false, trigger: "Rollback" });
  });
});
