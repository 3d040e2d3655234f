/**
 * The reconcile story against its ports (sync/ports.ts), all in memory: a
 * fake Git remote, cluster, Application store and clock (fake-ports.ts).
 * Time moves only through the Clock port; nothing here sleeps.
 *
 * Mutants these tests must kill (apply one, run
 * `npx vitest run --project unit test/sync`, see red, revert):
 *  1. reconcile.ts: `stage("RenderFailed", () => renderDesired(...))` →
 *     `stage("ApplyFailed", ...)` — killed by "RenderFailed: ..." in the
 *     stage table and "stays Stalled on a bad render ...".
 *  2. reconcile.ts: `if (isStalledOn(app, head) && !req.manual)` →
 *     `if (false && ...)` — killed by "stays Stalled on a bad render ...".
 *  3. reconcile.ts: `const canRollBack = reason === "HealthCheckFailed" && ...`
 *     → `const canRollBack = false && ...` — killed by "asks for a rollback
 *     to the last healthy revision ..." and the controller's "rolls a
 *     degraded rollout back through the scheduler".
 *  4. stage.ts: delete `if (err instanceof HealthCheckError) throw new
 *     StageError("HealthCheckFailed", err);` — killed by
 *     "HealthCheckFailed: ..." in the stage table, the health-gate timeout
 *     test and the rollback tests.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GitError, KubeError } from "../../src/errors.js";
import type { Application } from "../../src/model/application.js";
import { Controller } from "../../src/sync/controller.js";
import { reconcile, type ReconcileRequest } from "../../src/sync/reconcile.js";
import { configMap, deployment, fakeWorld, makeApp, turn, until, type World } from "./fake-ports.js";

const worlds: World[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.git.cleanup();
});

/** A world with one app whose repository holds `files` at HEAD. */
function world(files: Record<string, string>, app: Application = makeApp()): World & { head: string } {
  const w = fakeWorld();
  worlds.push(w);
  const head = w.git.commit(files);
  w.apps.add(app);
  return { ...w, head };
}

/** Reconciles the app as the store has it now. */
const run = (w: World, req: ReconcileRequest = {}, name = "web") => reconcile(w.ctx, w.app(name), req);

const ready = (app: Application) => app.status?.conditions?.find((c) => c.type === "Ready");
const stalled = (app: Application) => app.status?.conditions?.find((c) => c.type === "Stalled");
const CM = "/ConfigMap/team/settings";

describe("reconcile against its ports", () => {
  it("applies a new app, records it Synced and Healthy, and a second reconcile writes nothing", async () => {
    const w = world({ "app/cm.yaml": configMap("settings") });
    await expect(run(w)).resolves.toEqual({ outcome: "synced" });
    const app = w.app();
    expect(app.status).toMatchObject({ sync: { status: "Synced", revision: w.head }, health: { status: "Healthy" }, operationState: { phase: "Succeeded" }, lastHealthyRevision: w.head });
    expect(ready(app)).toMatchObject({ status: "True", reason: "Succeeded" });
    expect(w.cluster.applied).toEqual([CM]);
    expect(w.apps.events.map((e) => e.reason)).toEqual(["Synced"]);
    await expect(run(w)).resolves.toEqual({ outcome: "synced" });
    expect(w.cluster.applied).toEqual([CM]);
  });

  describe("maps each failing stage to one reason and sync status", () => {
    const bad = {
      ok: { "app/cm.yaml": configMap("settings") },
      yaml: { "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n" },
      crash: { "app/web.yaml": deployment("web", { pods: "crash" }) },
    };
    const invalid = new KubeError("ConfigMap \"settings\" is invalid", { code: "Invalid", status: 422 });
    it.each([
      ["InvalidSpec", bad.ok, (w: World) => w.apps.editSpec("team", "web", (s) => (s.interval = "0s")), "Unknown", true],
      ["GitFetchFailed", bad.ok, (w: World) => (w.git.resolveError = new GitError("connect ECONNREFUSED", { code: "GitUnavailable" })), "Unknown", false],
      ["RenderFailed", bad.yaml, () => undefined, "Unknown", true],
      ["ComparisonFailed", bad.ok, (w: World) => (w.cluster.fail = ({ op }) => (op === "dryRun" ? invalid : undefined)), "OutOfSync", false],
      ["ApplyFailed", bad.ok, (w: World) => (w.cluster.fail = ({ op }) => (op === "apply" ? new KubeError("etcd timeout", { code: "InternalError", status: 500 }) : undefined)), "OutOfSync", false],
      ["HealthCheckFailed", bad.crash, () => undefined, "OutOfSync", false],
    ] as const)("%s: the Ready reason, the sync status, Stalled only when terminal, and a Warning Event", async (reason, files, breakIt, sync, terminal) => {
      const w = world(files);
      breakIt(w);
      const result = await run(w);
      expect(result).toMatchObject({ outcome: "failed", terminal });
      const app = w.app();
      expect(ready(app)).toMatchObject({ status: "False", reason });
      expect(app.status?.sync?.status).toBe(sync);
      expect(stalled(app)?.status).toBe(terminal ? "True" : "False");
      expect(w.apps.events.filter((e) => e.type === "Warning").map((e) => e.reason)).toEqual([reason]);
      expect(w.finished).toEqual(["failed"]);
    });

    it("PruneFailed: the operation is Failed and the object Git dropped is still there", async () => {
      const w = world({ "app/cm.yaml": configMap("settings"), "app/old.yaml": configMap("old") });
      await run(w);
      w.git.commit({ "app/cm.yaml": configMap("settings") });
      w.cluster.fail = ({ op }) => (op === "delete" ? new KubeError("admission webhook denied the delete", { code: "Forbidden", status: 403 }) : undefined);
      await expect(run(w)).resolves.toMatchObject({ outcome: "failed" });
      expect(ready(w.app())).toMatchObject({ reason: "PruneFailed" });
      expect(w.app().status?.operationState).toMatchObject({ phase: "Failed" });
      expect(w.cluster.objects.has("/ConfigMap/team/old")).toBe(true);
    });

    it("HealthCheckFailed carries the rollout's health and reports the operation Failed", async () => {
      const w = world({ "app/web.yaml": deployment("web", { pods: "crash" }) });
      await run(w);
      expect(w.app().status).toMatchObject({ health: { status: "Degraded" }, operationState: { phase: "Failed", revision: w.head }, sync: { status: "OutOfSync" } });
      expect(w.app().status?.resources?.map((r) => r.name)).toEqual(["web"]); // the inventory it intended
    });
  });

  describe("terminal failures", () => {
    it("stays Stalled on a bad render of the same commit and spec without rendering again; a manual sync or a new commit goes on", async () => {
      const w = world({ "app/cm.yaml": "kind: [\n" });
      await expect(run(w)).resolves.toMatchObject({ outcome: "failed", terminal: true });
      expect(stalled(w.app())).toMatchObject({ status: "True", reason: "RenderFailed" });
      const checkouts = w.git.checkouts.length;
      await expect(run(w)).resolves.toEqual({ outcome: "skipped", terminal: true });
      expect(w.git.checkouts).toHaveLength(checkouts);
      await expect(run(w, { manual: true })).resolves.toMatchObject({ outcome: "failed", terminal: true });
      expect(w.git.checkouts.length).toBeGreaterThan(checkouts);
      w.git.commit({ "app/cm.yaml": configMap("settings") });
      await expect(run(w)).resolves.toEqual({ outcome: "synced" });
      expect(stalled(w.app())?.status).toBe("False");
    });

    it("goes on once the spec changes (a new generation)", async () => {
      const w = world({ "app/cm.yaml": "kind: [\n", "good/cm.yaml": configMap("settings") });
      await expect(run(w)).resolves.toMatchObject({ outcome: "failed", terminal: true });
      await expect(run(w)).resolves.toMatchObject({ outcome: "skipped" });
      w.apps.editSpec("team", "web", (s) => (s.source.path = "good"));
      await expect(run(w)).resolves.toEqual({ outcome: "synced" });
    });

    it("checks an invalid spec again on every reconcile, without asking Git", async () => {
      const w = world({ "app/cm.yaml": configMap("settings") });
      w.apps.editSpec("team", "web", (s) => (s.rollout = { timeout: "0s" }));
      w.git.resolveError = new GitError("must not be asked", { code: "GitUnavailable" });
      await expect(run(w)).resolves.toMatchObject({ outcome: "failed", terminal: true });
      expect(ready(w.app())).toMatchObject({ reason: "InvalidSpec" });
    });
  });

  describe("prune", () => {
    const two = { "app/cm.yaml": configMap("settings"), "app/old.yaml": configMap("old") };
    const one = { "app/cm.yaml": configMap("settings") };
    const OLD = "/ConfigMap/team/old";

    it("prunes an object removed from Git when automated.prune is on", async () => {
      const w = world(two);
      await run(w);
      w.git.commit(one);
      await expect(run(w)).resolves.toEqual({ outcome: "synced" });
      expect(w.cluster.deleted).toEqual([OLD]);
      expect(w.apps.events.map((e) => e.reason)).toContain("Pruned");
      expect(w.app().status?.resources?.map((r) => r.name)).toEqual(["settings"]);
    });

    it("keeps it, OutOfSync, when prune is off", async () => {
      const w = world(two, makeApp({ automated: { prune: false } }));
      await run(w);
      w.git.commit(one);
      await expect(run(w)).resolves.toEqual({ outcome: "out-of-sync" });
      expect(w.cluster.deleted).toEqual([]);
      expect(ready(w.app())?.message).toMatch(/kept because prune is disabled/);
    });

    it.each([
      ["does not prune on a manual sync that did not ask", { manual: true }, []],
      ["prunes on a manual sync that asked", { manual: true, prune: true }, [OLD]],
      ["does not prune on a prune request that is not a manual sync", { prune: true }, []],
    ] as const)("%s", async (_what, req, deleted) => {
      const w = world(two, makeApp({ automated: false }));
      await run(w, { manual: true });
      w.git.commit(one);
      await run(w, req);
      expect(w.cluster.deleted).toEqual(deleted);
    });

    it("never prunes while an object is in Conflict with another Application", async () => {
      const w = world(two);
      await run(w);
      w.cluster.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "taken", namespace: "team", annotations: { "plumb.dev/tracking-id": "team/other:/ConfigMap:team/taken" } } });
      w.git.commit({ ...one, "app/taken.yaml": configMap("taken") });
      await expect(run(w)).resolves.toEqual({ outcome: "out-of-sync" });
      expect(w.cluster.deleted).toEqual([]);
      expect(ready(w.app())).toMatchObject({ reason: "Conflict" });
      expect(ready(w.app())?.message).toMatch(/nothing pruned/);
      expect(w.cluster.objects.get("/ConfigMap/team/taken")?.metadata.annotations?.["plumb.dev/tracking-id"]).toBe("team/other:/ConfigMap:team/taken");
    });

    it.each([
      ["the render produced zero objects", { "app/empty.yaml": "# nothing here\n" }, () => undefined],
      ["the render failed", { "app/cm.yaml": "kind: [\n" }, () => undefined],
      ["the Git fetch failed", one, (w: World) => (w.git.resolveError = new GitError("timed out", { code: "GitTimeout" }))],
    ] as const)("never prunes when %s", async (_why, files, breakIt) => {
      const w = world(two);
      await run(w);
      w.git.commit(files);
      breakIt(w);
      await run(w);
      expect(w.cluster.deleted).toEqual([]);
      expect(w.cluster.objects.has(OLD)).toBe(true);
    });
  });

  describe("rollouts", () => {
    it("fails a rollout that does not turn Healthy within rollout.timeout, driven by the clock alone", async () => {
      const w = world({ "app/web.yaml": deployment("web", { pods: "hang" }) }, makeApp({ rollout: { timeout: "1m" } }));
      const result = run(w);
      await until(() => w.clock.pending >= 2); // the gate's tick and the check for a newer commit
      expect(w.app().status?.operationState?.phase).toBe("Running");
      await w.clock.advance(30_000);
      expect(w.app().status?.conditions?.find((c) => c.type === "Reconciling")).toMatchObject({ status: "True" });
      await w.clock.advance(31_000);
      await expect(result).resolves.toMatchObject({ outcome: "failed", terminal: false });
      expect(ready(w.app())).toMatchObject({ reason: "HealthCheckFailed" });
      expect(ready(w.app())?.message).toMatch(/did not become Healthy within 60s/);
      expect(w.clock.pending).toBe(0); // every timer it set was cancelled
    });

    it("is superseded when a newer commit appears while it waits", async () => {
      const w = world({ "app/web.yaml": deployment("web", { pods: "hang" }) }, makeApp({ rollout: { timeout: "5m" } }));
      const result = run(w);
      await until(() => w.clock.pending >= 2);
      w.git.commit({ "app/web.yaml": deployment("web") });
      await w.clock.advance(3_000);
      await expect(result).resolves.toEqual({ outcome: "superseded" });
      expect(w.finished).toEqual(["superseded"]);
      await expect(run(w)).resolves.toEqual({ outcome: "synced" });
    });

    it("asks for a rollback to the last healthy revision when a rollout turns Degraded, and the rollback parks the bad commit", async () => {
      const w = world({ "app/web.yaml": deployment("web") }, makeApp({ rollout: { autoRollback: true } }));
      await run(w);
      const good = w.head;
      const bad = w.git.commit({ "app/web.yaml": deployment("web", { pods: "crash", image: "nginx:2" }) });
      await expect(run(w)).resolves.toEqual({ outcome: "failed", terminal: false, next: { rollbackTo: good } });
      await expect(run(w, { rollbackTo: good })).resolves.toMatchObject({ outcome: "synced" });
      const app = w.app();
      expect(app.status).toMatchObject({ sync: { revision: good }, failedRevision: bad, health: { status: "Healthy" } });
      expect(ready(app)).toMatchObject({ reason: "RolledBack" });
      expect(app.status?.history?.[0]).toMatchObject({ revision: good, trigger: "Rollback" });
      expect(w.apps.events.map((e) => e.reason)).toContain("RolledBack");
      const applied = w.cluster.applied.length;
      await run(w); // parked: the failed head is not applied again
      expect(w.cluster.applied).toHaveLength(applied);
      expect(w.app().status?.sync?.revision).toBe(good);
    });

    it.each([
      ["autoRollback is off", makeApp(), undefined],
      ["the rollout was itself a rollback", makeApp({ rollout: { autoRollback: true } }), "rollback"],
    ] as const)("does not ask for a rollback when %s", async (_why, app, mode) => {
      const w = world({ "app/web.yaml": deployment("web") }, app);
      await run(w);
      w.git.commit({ "app/web.yaml": deployment("web", { pods: "crash" }) });
      const result = mode === "rollback" ? await run(w, { rollbackTo: w.git.commit({ "app/web.yaml": deployment("web", { pods: "crash", image: "x:1" }) }) }) : await run(w);
      expect(result.outcome).toBe("failed");
      expect(result.next).toBeUndefined();
    });

    it("rolls back by hand to a commit from history, then a newer commit deploys", async () => {
      const w = world({ "app/cm.yaml": configMap("settings", { v: "1" }) });
      await run(w);
      const first = w.head;
      w.git.commit({ "app/cm.yaml": configMap("settings", { v: "2" }) });
      await run(w);
      await expect(run(w, { rollbackTo: first })).resolves.toEqual({ outcome: "synced" });
      expect(w.cluster.objects.get(CM)?.data).toEqual({ v: "1" });
      expect(w.app().status?.history?.[0]).toMatchObject({ revision: first, trigger: "Rollback" });
      const fix = w.git.commit({ "app/cm.yaml": configMap("settings", { v: "3" }) });
      await run(w);
      expect(w.app().status?.sync?.revision).toBe(fix);
      expect(w.cluster.objects.get(CM)?.data).toEqual({ v: "3" });
    });
  });

  describe("failures outside the stages never rewrite a successful operation", () => {
    const failedWrites = (w: World) => w.apps.statusWrites.filter((s) => s.operationState?.phase === "Failed");

    it("an Event that cannot be recorded", async () => {
      const w = world({ "app/cm.yaml": configMap("settings") });
      w.apps.failEvents = true;
      await expect(run(w)).resolves.toEqual({ outcome: "synced" });
      expect(w.app().status?.operationState?.phase).toBe("Succeeded");
      expect(failedWrites(w)).toEqual([]);
    });

    it("a status write that fails after the sync: retried, not reported as a failed apply", async () => {
      const w = world({ "app/cm.yaml": configMap("settings") });
      w.apps.failStatusWrite = (s) => s.operationState?.phase === "Succeeded";
      await expect(run(w)).resolves.toEqual({ outcome: "failed" });
      expect(failedWrites(w)).toEqual([]);
      expect(w.cluster.applied).toEqual([CM]);
      w.apps.failStatusWrite = () => false;
      await expect(run(w)).resolves.toEqual({ outcome: "synced" });
    });

    it("live state that cannot be read after a successful apply", async () => {
      const w = world({ "app/cm.yaml": configMap("settings") });
      w.cluster.fail = ({ op }) => (op === "get" && w.apps.events.some((e) => e.reason === "Synced") ? new KubeError("connection reset", { code: "APIUnavailable" }) : undefined);
      await expect(run(w)).resolves.toEqual({ outcome: "failed" });
      expect(failedWrites(w)).toEqual([]);
      expect(w.app().status).toMatchObject({ operationState: { phase: "Succeeded" }, health: { status: "Unknown" } });
      expect(ready(w.app())?.reason).not.toBe("ApplyFailed");
    });
  });

  it("logs every line of a reconcile with the app and the reconcile id (applied and pruned included)", async () => {
    const w = world({ "app/cm.yaml": configMap("settings"), "app/old.yaml": configMap("old") });
    await run(w);
    w.git.commit({ "app/cm.yaml": configMap("settings") });
    await run(w);
    const messages = w.logs.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(["applied", "pruned", "reconciled"]));
    for (const line of w.logs) expect(line).toMatchObject({ app: "team/web", reconcileId: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(new Set(w.logs.map((l) => l.reconcileId)).size).toBe(2);
  });
});

describe("the controller drives reconciles through the scheduler", () => {
  async function started(w: World): Promise<Controller> {
    const c = new Controller({ ctx: w.ctx, concurrency: 2, liveChanges: (l) => w.cluster.onChange(l) });
    c.start();
    await until(() => w.finished.length > 0); // the first reconcile is over
    return c;
  }

  it("retries a transient failure after its backoff, on the clock", async () => {
    const w = world({ "app/cm.yaml": configMap("settings") }, { ...makeApp(), spec: { ...makeApp().spec, syncPolicy: { automated: { prune: true }, retry: { limit: 3, backoff: { duration: "10s", factor: 2 } } } } });
    w.git.resolveError = new GitError("connect ECONNREFUSED", { code: "GitUnavailable" });
    const c = await started(w);
    expect(ready(w.app())).toMatchObject({ reason: "GitFetchFailed" });
    w.git.resolveError = undefined;
    await w.clock.advance(9_000 * 0.9); // before any jittered backoff
    expect(w.cluster.applied).toEqual([]);
    await w.clock.advance(5_000);
    await until(() => w.cluster.applied.length > 0);
    await until(() => w.app().status?.sync?.status === "Synced");
    await c.stop();
  });

  it("rolls a degraded rollout back through the scheduler", async () => {
    const w = world({ "app/web.yaml": deployment("web") }, makeApp({ rollout: { autoRollback: true } }));
    const c = await started(w);
    const good = w.head;
    const bad = w.git.commit({ "app/web.yaml": deployment("web", { pods: "crash" }) });
    c.request("team", "web", { manual: false });
    await until(() => w.app().status?.failedRevision === bad);
    await until(() => ready(w.app())?.reason === "RolledBack");
    expect(w.app().status?.sync?.revision).toBe(good);
    await c.stop();
  });

  it("forgets a deleted app: no timer left behind", async () => {
    const w = world({ "app/cm.yaml": configMap("settings") });
    const c = await started(w);
    await w.clock.advance(1_000); // the live change its own apply caused is seen: a second reconcile
    await until(() => w.finished.length === 2 && w.clock.pending === 1); // only the next periodic reconcile is left
    w.apps.remove("team", "web");
    await turn();
    expect(w.clock.pending).toBe(0);
    await c.stop();
  });
});
