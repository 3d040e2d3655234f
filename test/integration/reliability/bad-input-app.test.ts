import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplicationSpec } from "../../../src/model/application.js";
import { applyApplication, conditionOf, configMapYAML, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import type { GitServer } from "../../support/git-server.js";
import { createNamespace, getJSON, kubectl } from "../../support/kube.js";
import { useTestEnvironment } from "../../support/env.js";
import type { TestOperator } from "../../support/operator.js";

// Bad input at the Application level, where the render corpus
// (test/fixtures/bad-input) cannot reach: what Git, the spec, discovery, RBAC
// and other Applications make of a commit. Every case starts from a synced
// app with two ConfigMaps, then a bad commit also changes one and drops the
// other; the failure must name its code and where (file:line or field), and
// the live objects must stay exactly as they were: nothing deleted, nothing
// half-applied.

const env = useTestEnvironment("badapp");
let git: GitServer;
let op: TestOperator;
let ns: string;
let other: string;

beforeAll(async () => {
  ({ git, op, ns } = env);
  other = await createNamespace("badapp-other");
  // a ServiceAccount that may only touch ConfigMaps in its own namespace
  await kubectl(["create", "serviceaccount", "deployer", "-n", ns]);
  await kubectl(["create", "role", "deployer", "-n", ns, "--verb=get,list,watch,create,update,patch,delete", "--resource=configmaps"]);
  await kubectl(["create", "rolebinding", "deployer", "-n", ns, "--role=deployer", `--serviceaccount=${ns}:deployer`]);
});

afterAll(async () => {
  await kubectl(["delete", "namespace", other, "--wait=false"]).catch(() => undefined);
});

const automated = { automated: { prune: true, selfHeal: true } };

interface Case {
  name: string;
  /** Reason of Ready=False. */
  reason: string;
  /** The PlumbError code in the operator's "reconcile failed" log line (undefined: none is logged). */
  code?: string;
  /** What the Ready message must say (file:line, field...). */
  message: RegExp;
  stalled: boolean;
  /** Files of the bad commit on top of the good one (null deletes); the good files are app/a.yaml and app/b.yaml. */
  files?: (names: { a: string; b: string }) => Record<string, string | null>;
  /** Spec change instead of (or with) a commit. */
  spec?: (spec: ApplicationSpec) => ApplicationSpec;
  serviceAccount?: boolean;
}

const cm = (name: string, v: string, extra = "") => configMapYAML(name, { v }, extra);
/** The good files changed by a bad commit: a changes, b is dropped. */
const alsoChanges = (n: { a: string; b: string }) => ({ "app/a.yaml": cm(n.a, "2"), "app/b.yaml": null });

const cases: Case[] = [
  {
    name: "unknown-kind",
    reason: "RenderFailed",
    code: "UnknownKind",
    message: /^app\/widget\.yaml:3: unknown kind Widget in example\.com\/v1/,
    stalled: true,
    files: (n) => ({ ...alsoChanges(n), "app/widget.yaml": "# a custom resource whose CRD is not installed\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n" }),
  },
  {
    name: "empty-dir",
    reason: "PruneWithheld",
    message: /zero objects; refusing to prune everything at [0-9a-f]{7}: keeping the 2 object\(s\)/,
    stalled: false,
    files: () => ({ "app/a.yaml": null, "app/b.yaml": null, "app/README.md": "manifests moved elsewhere\n" }),
  },
  {
    name: "path-gone",
    reason: "RenderFailed",
    code: "PathNotFound",
    message: /^app: no such file or directory/,
    stalled: true,
    files: () => ({ "app/a.yaml": null, "app/b.yaml": null, "other/README.md": "x\n" }),
  },
  {
    name: "path-dotdot",
    reason: "RenderFailed",
    code: "PathEscape",
    message: /path "\.\.\/" escapes the repository root/,
    stalled: true,
    spec: (s) => ({ ...s, source: { ...s.source, path: "../" } }),
  },
  {
    name: "path-deep-dotdot",
    reason: "RenderFailed",
    code: "PathEscape",
    message: /path "app\/\.\.\/\.\.\/etc" escapes the repository root/,
    stalled: true,
    spec: (s) => ({ ...s, source: { ...s.source, path: "app/../../etc" } }),
  },
  {
    name: "no-namespace",
    reason: "RenderFailed",
    code: "NoNamespace",
    message: /^app\/a\.yaml:1: ConfigMap "no-namespace-a" is namespaced but names no namespace/,
    stalled: true,
    spec: ({ destination: _dropped, ...s }) => s,
  },
  {
    name: "invalid-object",
    reason: "ComparisonFailed",
    code: "Invalid",
    message: /ConfigMap .*\/bad-data \(app\/bad\.yaml:1\): .*bad key!/,
    stalled: true,
    files: (n) => ({ ...alsoChanges(n), "app/bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-data\ndata:\n  \"bad key!\": x\n" }),
  },
  {
    name: "claims-other-app",
    reason: "Conflict",
    message: /ConfigMap .*\/claims-other-app-owned is owned by .*\/owner-app/,
    stalled: false,
    files: () => ({ "app/steal.yaml": cm("claims-other-app-owned", "stolen") }),
  },
  {
    name: "forbidden-namespace",
    reason: "ComparisonFailed",
    code: "Forbidden",
    message: /ConfigMap kube-system\/sneaky \(app\/sneaky\.yaml:1\): .*forbidden/,
    stalled: true,
    serviceAccount: true,
    files: (n) => ({ ...alsoChanges(n), "app/sneaky.yaml": cm("sneaky", "x").replace("metadata:\n", "metadata:\n  namespace: kube-system\n") }),
  },
  {
    name: "forbidden-kind",
    reason: "ComparisonFailed",
    code: "Forbidden",
    message: /Secret .*\/not-allowed \(app\/secret\.yaml:1\): .*forbidden/,
    stalled: true,
    serviceAccount: true,
    files: (n) => ({ ...alsoChanges(n), "app/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: not-allowed\nstringData:\n  k: v\n" }),
  },
  {
    name: "interval-overflow",
    reason: "InvalidSpec",
    code: "InvalidSpec",
    message: /^spec\.interval is "1000h"; the longest supported duration is 596h/,
    stalled: true,
    spec: (s) => ({ ...s, interval: "1000h" }),
  },
  {
    name: "zero-timeout",
    reason: "InvalidSpec",
    code: "InvalidSpec",
    message: /^spec\.rollout\.timeout is "0s"; it must be longer than zero/,
    stalled: true,
    spec: (s) => ({ ...s, rollout: { timeout: "0s" } }),
  },
  {
    name: "no-such-branch",
    reason: "GitFetchFailed",
    code: "RevisionNotFound",
    message: /revision "no-such-branch" not found/,
    stalled: true,
    spec: (s) => ({ ...s, source: { ...s.source, targetRevision: "no-such-branch" } }),
  },
  {
    name: "no-such-repo",
    reason: "GitFetchFailed",
    code: "RepositoryNotFound",
    message: /HTTP 404: no repository at this URL/,
    stalled: false,
    spec: (s) => ({ ...s, source: { ...s.source, repoURL: git.repoURL("does-not-exist") } }),
  },
];

interface LiveCm {
  metadata: { uid: string; resourceVersion: string };
  data?: Record<string, string>;
}

/** uid, resourceVersion and data of the two good ConfigMaps. */
async function liveState(names: { a: string; b: string }): Promise<unknown> {
  const get = async (n: string) => {
    const o = await getJSON<LiveCm>(["configmap", n, "-n", ns]);
    return o && { uid: o.metadata.uid, rv: o.metadata.resourceVersion, data: o.data };
  };
  return { a: await get(names.a), b: await get(names.b) };
}

/** The codes of the operator's "reconcile failed" lines for an app. */
function failureCodes(name: string): string[] {
  return op.logs
    .flatMap((l) => l.split("\n"))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg?: string; app?: string; code?: string })
    .filter((l) => l.msg === "reconcile failed" && l.app === `${ns}/${name}`)
    .map((l) => l.code ?? "");
}

describe("bad input at the Application level", () => {
  beforeAll(async () => {
    // the owner of the object "claims-other-app" tries to take
    const repoURL = await git.createRepo("owner-app");
    const rev = await git.commit("owner-app", { files: { "cm.yaml": cm("claims-other-app-owned", "mine") } });
    await applyApplication({ namespace: ns, name: "owner-app", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "1h", syncPolicy: automated } });
    await waitForReady(ns, "owner-app", rev);
  });

  // cases are independent apps: run them side by side
  it.concurrent.for(cases)("$name: Ready=False/$reason, nothing deleted or half-applied", async (c, { expect }) => {
    const repoURL = await git.createRepo(c.name);
    const names = { a: `${c.name}-a`, b: `${c.name}-b` };
    const good = await git.commit(c.name, { files: { "app/a.yaml": cm(names.a, "1"), "app/b.yaml": cm(names.b, "1") } });
    const spec: ApplicationSpec = { source: { repoURL, path: "app" }, destination: { namespace: ns }, interval: "1s", syncPolicy: automated, ...(c.serviceAccount ? { serviceAccountName: "deployer" } : {}) };
    await applyApplication({ namespace: ns, name: c.name, spec });
    await waitForReady(ns, c.name, good);
    const before = await liveState(names);
    if (c.files) await git.commit(c.name, { files: c.files(names) });
    if (c.spec) await applyApplication({ namespace: ns, name: c.name, spec: c.spec(spec) });
    const app = await waitForApp(ns, c.name, (a) => conditionOf(a, "Ready")?.reason === c.reason, { timeoutMs: 60_000, what: `${c.name} Ready=False/${c.reason}` });
    const ready = conditionOf(app, "Ready")!;
    expect(ready.status).toBe("False");
    expect(ready.message).toMatch(c.message);
    expect(conditionOf(app, "Stalled")?.status).toBe(c.stalled ? "True" : "False");
    if (c.code) expect(failureCodes(c.name)).toContain(c.code);
    // a few more reconciles (interval 1s) change nothing either
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await liveState(names)).toEqual(before);
    const events = await kubectl(["get", "events", "-n", ns, "--field-selector", `involvedObject.name=${c.name}`, "-o", "jsonpath={.items[*].reason}"]);
    expect(events).not.toContain("Pruned");
    expect(events).toContain(c.reason);
    const after = await getApplication(ns, c.name);
    expect((after?.status?.resources ?? []).map((r) => r.name).sort()).toEqual(expect.arrayContaining([names.a, names.b]));
    if (c.name === "interval-overflow") {
      // Stalled, and not retried in a hot loop (a 1000h timer overflows setTimeout)
      expect(failureCodes(c.name).length).toBeLessThan(10);
    }
    if (c.name === "claims-other-app") {
      expect((await getJSON<LiveCm>(["configmap", "claims-other-app-owned", "-n", ns]))?.data?.v).toBe("mine");
    }
  });

  it.each([
    ["an interval that is not a duration", { interval: "3 minutes" }, /spec\.interval/],
    ["an absolute path", { path: "/etc" }, /path must be relative/],
    ["an ssh repoURL", { repoURL: "git@example.com:org/repo.git" }, /spec\.source\.repoURL/],
    ["an invalid destination namespace", { namespace: "Not_A_Namespace" }, /spec\.destination\.namespace/],
    ["an unknown syncOption", { syncOptions: ["Prune=false"] }, /spec\.syncPolicy\.syncOptions/],
    ["a negative retry limit", { limit: -1 }, /spec\.syncPolicy\.retry\.limit/],
  ])("the CRD schema rejects %s and nothing is created", async (_label, patch, message) => {
    const p = patch as Record<string, unknown>;
    const spec = {
      source: { repoURL: (p.repoURL as string) ?? git.repoURL("x"), ...(p.path ? { path: p.path } : {}) },
      destination: { namespace: (p.namespace as string) ?? ns },
      interval: (p.interval as string) ?? "1m",
      syncPolicy: { ...automated, ...(p.syncOptions ? { syncOptions: p.syncOptions } : {}), ...(p.limit !== undefined ? { retry: { limit: p.limit } } : {}) },
    } as ApplicationSpec;
    const name = `schema-${Math.random().toString(36).slice(2, 8)}`;
    await expect(applyApplication({ namespace: ns, name, spec })).rejects.toThrow(message);
    expect(await getApplication(ns, name)).toBeUndefined();
  });
});
