import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Application } from "../../../src/model/application.js";
import { applyApplication, conditionOf, configMapYAML, waitForApp, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer, type GitServerFault } from "../../support/git-server.js";
import { git as gitCLI } from "../../support/git-repo.js";
import { getJSON, kubectl } from "../../support/kube.js";
import { useTestEnvironment } from "../../support/env.js";
import type { TestOperator } from "../../support/operator.js";

// Git faults at the Application level: whatever the Git server does (gone,
// 500, silent, truncated pack, wrong password, history pushed away), the app
// says so in Ready=False/GitFetchFailed, nothing live is deleted or
// half-applied, and it recovers once the server is healthy.

const PASSWORD = "git-pass-6d1e0c";
const env = useTestEnvironment("gitfault", { operatorFlags: { "git-timeout": "5" } });
let git: GitServer;
let locked: GitServer;
let op: TestOperator;
let ns: string;

beforeAll(async () => {
  ({ git, op, ns } = env);
  locked = await startGitServer({ auth: { username: "plumb", password: PASSWORD } });
});

// runs before the environment's own teardown: no fault left to hang its stop
afterAll(async () => {
  await git?.setFault(null);
  await locked?.stop();
});

const automated = { automated: { prune: true, selfHeal: true } };
const fastRetry = { limit: 100, backoff: { duration: "1s", factor: 1, maxDuration: "1s" } };

interface Cm {
  metadata: { uid: string };
  data: Record<string, string>;
}

/** uid and data of each ConfigMap; undefined when missing. */
async function snapshot(names: string[]): Promise<Record<string, { uid: string; v: string } | undefined>> {
  const out: Record<string, { uid: string; v: string } | undefined> = {};
  for (const n of names) {
    const cm = await getJSON<Cm>(["configmap", n, "-n", ns]);
    out[n] = cm && { uid: cm.metadata.uid, v: cm.data.v ?? "" };
  }
  return out;
}

/** Reasons of the app's Events. */
async function eventReasons(name: string): Promise<string[]> {
  const out = await kubectl(["get", "events", "-n", ns, "--field-selector", `involvedObject.name=${name}`, "-o", "jsonpath={.items[*].reason}"]);
  return out.split(/\s+/).filter(Boolean);
}

/** A three-ConfigMap app synced at v1; returns the revision it is Ready at. */
async function syncedApp(server: GitServer, name: string, extra: { secretRef?: { name: string }; targetRevision?: string } = {}): Promise<{ repoURL: string; rev: string; names: string[] }> {
  const repoURL = await server.createRepo(name);
  const names = ["a", "b", "c"].map((x) => `${name}-${x}`);
  const files = Object.fromEntries(names.map((n) => [`${n}.yaml`, configMapYAML(n, { v: "1" })]));
  await server.commit(name, { files });
  if (extra.targetRevision && extra.targetRevision !== "main") await server.commit(name, { files, branch: extra.targetRevision });
  const { secretRef, targetRevision } = extra;
  await applyApplication({ namespace: ns, name, spec: { source: { repoURL, ...(secretRef ? { secretRef } : {}), ...(targetRevision ? { targetRevision } : {}) }, destination: { namespace: ns }, interval: "1s", syncPolicy: { ...automated, retry: fastRetry } } });
  const ready = await waitForReady(ns, name);
  return { repoURL, rev: ready.status!.sync!.revision!, names };
}

/**
 * Waits for Ready=False/GitFetchFailed with a message matching `message` (the
 * first failure may be the connection cut by the fault switching on) and
 * returns the app.
 */
async function gitFetchFailed(name: string, message: RegExp): Promise<Application> {
  return waitForApp(ns, name, (a) => conditionOf(a, "Ready")?.reason === "GitFetchFailed" && message.test(conditionOf(a, "Ready")!.message), { timeoutMs: 60_000, what: `${name} GitFetchFailed matching ${message}` });
}

describe("Git faults", () => {
  it.each<[GitServerFault, RegExp]>([
    ["down", /cannot connect \(ECONNREFUSED\)/],
    ["500", /answered HTTP 500/],
    ["hang", /no answer within 5000 ms/],
    ["truncate", /failed: /],
  ])("a server that is %s: GitFetchFailed, zero deletions, recovery", async (fault, message) => {
    const name = `fault-${fault}`;
    const { names } = await syncedApp(git, name);
    const before = await snapshot(names);
    // the next commit changes one object and drops another: neither may happen during the fault
    const big = randomBytes(48 * 1024).toString("base64"); // a pack well over the truncation point
    const next = await git.commit(name, { files: { [`${names[0]}.yaml`]: configMapYAML(names[0]!, { v: "2" }), [`${names[2]}.yaml`]: null, "blob.txt": big } });
    await git.setFault(fault, { truncateBytes: 2_000 });
    try {
      const app = await gitFetchFailed(name, message);
      expect(app.status?.sync?.status).toBe("Unknown");
      expect(conditionOf(app, "Stalled")?.status).toBe("False"); // transient: retried
      expect(await snapshot(names)).toEqual(before);
    } finally {
      await git.setFault(null);
    }
    await waitForReady(ns, name, next);
    const after = await snapshot(names);
    expect(after[names[0]!]).toEqual({ uid: before[names[0]!]!.uid, v: "2" });
    expect(after[names[1]!]).toEqual(before[names[1]!]);
    expect(after[names[2]!]).toBeUndefined(); // pruned only once Git was readable again
    console.log(`git fault ${fault}: "${conditionOf(await waitForReady(ns, name, next), "Ready")?.message}" after recovery; message during the fault matched ${message}`);
  });

  it("reports rejected credentials as GitFetchFailed without the password, deletes nothing, and recovers with the right Secret", async () => {
    const wrong = "wrong-pass-93bd27";
    const secret = (name: string, password: string) => JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, stringData: { username: "plumb", password } });
    await kubectl(["apply", "-f", "-"], { input: secret("repo-creds", PASSWORD) });
    await kubectl(["apply", "-f", "-"], { input: secret("stale-creds", wrong) });
    const name = "fault-auth";
    const { names, repoURL } = await syncedApp(locked, name, { secretRef: { name: "repo-creds" } });
    const before = await snapshot(names);
    const spec = (secretName: string) => ({ source: { repoURL, secretRef: { name: secretName } }, destination: { namespace: ns }, interval: "1s", syncPolicy: { ...automated, retry: fastRetry } });
    // (the Secrets themselves are re-read at most every 30 s; pointing at another one takes effect at once)
    await applyApplication({ namespace: ns, name, spec: spec("stale-creds") });
    const app = await waitForApp(ns, name, (a) => conditionOf(a, "Ready")?.reason === "GitFetchFailed", { timeoutMs: 60_000 });
    expect(conditionOf(app, "Ready")?.message).toMatch(/refused access \(HTTP 401\); check the username\/password/);
    expect(JSON.stringify(app)).not.toContain(wrong);
    const next = await locked.commit(name, { files: { [`${names[0]}.yaml`]: configMapYAML(names[0]!, { v: "2" }), [`${names[2]}.yaml`]: null } });
    await new Promise((r) => setTimeout(r, 3_000)); // three intervals with the wrong password
    expect(conditionOf(await waitForApp(ns, name, () => true), "Ready")?.reason).toBe("GitFetchFailed");
    expect(await snapshot(names)).toEqual(before);
    await applyApplication({ namespace: ns, name, spec: spec("repo-creds") });
    await waitForReady(ns, name, next);
    expect(op.logs.join("")).not.toContain(wrong);
    expect(op.logs.join("")).not.toContain(PASSWORD);
  });

  it("follows a force-push that rewrites history, keeping what the new commit still has", async () => {
    const name = "fault-rewrite";
    const { names } = await syncedApp(git, name);
    const before = await snapshot(names);
    // a new root commit: a changed, b identical, c gone
    const rewritten = await git.forcePush(name, { files: { [`${names[0]}.yaml`]: configMapYAML(names[0]!, { v: "rewritten" }), [`${names[1]}.yaml`]: configMapYAML(names[1]!, { v: "1" }) } });
    const app = await waitForReady(ns, name, rewritten);
    const after = await snapshot(names);
    expect(after[names[0]!]).toEqual({ uid: before[names[0]!]!.uid, v: "rewritten" });
    expect(after[names[1]!]).toEqual(before[names[1]!]);
    expect(after[names[2]!]).toBeUndefined();
    expect(app.status?.history?.map((h) => h.revision)).toContain(rewritten);
  });

  it("stalls with GitFetchFailed when the tracked branch is deleted, deletes nothing, and recovers when it returns", async () => {
    const name = "fault-branch";
    const { names, rev } = await syncedApp(git, name, { targetRevision: "release" });
    const before = await snapshot(names);
    const bare = join(git.root, "repos", `${name}.git`);
    await gitCLI(["update-ref", "-d", "refs/heads/release"], bare);
    const app = await gitFetchFailed(name, /revision "release" not found/);
    expect(conditionOf(app, "Stalled")).toMatchObject({ status: "True", reason: "GitFetchFailed" });
    expect(await snapshot(names)).toEqual(before);
    expect(await eventReasons(name)).not.toContain("Pruned");
    await gitCLI(["update-ref", "refs/heads/release", rev], bare);
    await waitForReady(ns, name, rev);
  });
});
