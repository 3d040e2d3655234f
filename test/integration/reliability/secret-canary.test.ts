import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../../src/api/index.js";
import { applyApplication, conditionOf, configMapYAML, deploymentYAML, waitForApp, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace, getJSON, kubectl, waitFor } from "../../support/kube.js";
import { startPlumb, type PlumbProcess } from "./harness.js";

// Secret canaries through the whole flow: a Secret in Git (data and
// stringData), the repository password (a secretRef, and once embedded in a
// repoURL), live drift of the Secret, a YAML error on the Secret's line, the
// webhook secret. Then every log line of the operator process, every Event,
// every Application status, every API answer (list, get, diff, sync) and
// /metrics is searched: zero occurrences of any canary, raw or base64.

const tag = randomBytes(4).toString("hex");
// the repository password holds '@' and ':' (valid in a URL's password as
// typed by users); a redaction that cuts at the first '@' would leave its tail
const gitPasswordTail = `tail-canary-${tag}`;
const CANARY = {
  gitPassword: `gitpw:x@${gitPasswordTail}`,
  gitPasswordTail,
  secretData: `data-canary-${tag}`,
  secretString: `string-canary-${tag}`,
  driftValue: `drift-canary-${tag}`,
  gitChange: `changed-canary-${tag}`,
  brokenLine: `broken-canary-${tag}`,
  webhookSecret: `hook-canary-${tag}`,
};
const b64 = (s: string) => Buffer.from(s).toString("base64");

let git: GitServer;
let op: PlumbProcess;
let ns: string;

beforeAll(async () => {
  git = await startGitServer({ auth: { username: "plumb", password: CANARY.gitPassword } });
  ns = await createNamespace("canary");
  op = await startPlumb({ namespace: ns, flags: { "log-level": "debug" }, env: { PLUMB_WEBHOOK_SECRET: CANARY.webhookSecret } });
});

afterAll(async () => {
  await op?.stop();
  await git?.stop();
});

function secretYAML(name: string, data: string, str: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\ntype: Opaque\ndata:\n  password: ${b64(data)}\nstringData:\n  token: ${str}\n`;
}

const automated = { automated: { prune: true, selfHeal: true } };

/** GET (or POST) on the operator's API; returns status and raw text. */
async function call(path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`${op.url}${path}`, init);
  return { status: res.status, text: await res.text() };
}

describe("secret canaries", () => {
  it("never show up in logs, Events, status, API answers or metrics", async () => {
    await kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "repo-creds", namespace: ns }, stringData: { username: "plumb", password: CANARY.gitPassword } }) });
    const repoURL = await git.createRepo("canary");
    const web = deploymentYAML("web", { replicas: 1 }).replace("          ports:", `          env:\n            - name: TOKEN\n              valueFrom:\n                secretKeyRef: {name: app-secret, key: token}\n          ports:`);
    const rev1 = await git.commit("canary", {
      files: {
        "app/secret.yaml": secretYAML("app-secret", CANARY.secretData, CANARY.secretString),
        "app/cm.yaml": configMapYAML("settings", { mode: "on" }),
        "app/web.yaml": web,
        "manual/secret.yaml": secretYAML("manual-secret", CANARY.secretData, CANARY.secretString),
        "app-url/cm.yaml": configMapYAML("from-url", { mode: "on" }),
      },
    });
    const secretRef = { name: "repo-creds" };
    await applyApplication({ namespace: ns, name: "canary", spec: { source: { repoURL, path: "app", secretRef }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated } });
    await applyApplication({ namespace: ns, name: "manual", spec: { source: { repoURL, path: "manual", secretRef }, destination: { namespace: ns }, interval: "2s" } });
    // credentials in the URL itself (discouraged, but it must not leak either),
    // typed raw: "http://plumb:gitpw:x@tail…@host/…", a URL new URL accepts and that syncs
    const inURL = repoURL.replace("http://", `http://plumb:${CANARY.gitPassword}@`);
    await applyApplication({ namespace: ns, name: "in-url", spec: { source: { repoURL: inURL, path: "app-url" }, destination: { namespace: ns }, interval: "2s", syncPolicy: automated } });
    await waitForReady(ns, "canary", rev1);
    const answers: string[] = [];
    const api = async (path: string, init?: RequestInit) => {
      const r = await call(path, init);
      answers.push(`${path} ${r.status} ${r.text}`);
      return r;
    };

    // a manual app whose Secret changes in Git: the diff shows a change, redacted; a sync applies it
    await waitForApp(ns, "manual", (a) => a.status?.sync?.status === "OutOfSync");
    const rev2 = await git.commit("canary", { files: { "manual/secret.yaml": secretYAML("manual-secret", CANARY.gitChange, CANARY.gitChange) } });
    const diff = await waitFor(async () => {
      const r = await call(`/api/v1/applications/${ns}/manual/diff`);
      return r.text.includes(rev2) ? r : undefined;
    }, { what: "a diff at the new commit" });
    answers.push(diff.text);
    expect(diff.status).toBe(200);
    expect(diff.text).toContain("manual-secret");
    expect((await api(`/api/v1/applications/${ns}/manual/sync`, { method: "POST" })).status).toBe(202);
    await waitForReady(ns, "manual", rev2);

    // live drift of the synced Secret: seen in the diff (redacted), then healed
    await kubectl(["patch", "secret", "app-secret", "-n", ns, "--type=merge", "-p", JSON.stringify({ stringData: { token: CANARY.driftValue } })]);
    await api(`/api/v1/applications/${ns}/canary/diff`);
    await waitFor(async () => (await getJSON<{ data: Record<string, string> }>(["secret", "app-secret", "-n", ns]))?.data.token === b64(CANARY.secretString), { what: "drift healed" });

    // a YAML error on the Secret's own line
    await git.commit("canary", { files: { "app/secret.yaml": `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-secret\nstringData:\n  token: "${CANARY.brokenLine}\n  other: [x\n` } });
    const broken = await waitForApp(ns, "canary", (a) => conditionOf(a, "Ready")?.reason === "RenderFailed");
    expect(conditionOf(broken, "Ready")?.message).toMatch(/^app\/secret\.yaml:\d+/);
    await api(`/api/v1/applications/${ns}/canary`);
    await api(`/api/v1/applications/${ns}/canary/diff`);
    const rev4 = await git.commit("canary", { files: { "app/secret.yaml": secretYAML("app-secret", CANARY.secretData, CANARY.secretString) } });
    await waitForReady(ns, "canary", rev4);

    // the webhook, signed with its secret
    const body = JSON.stringify({ repoURL, revision: rev4 });
    expect((await api("/api/v1/webhooks/git", { method: "POST", headers: { "x-plumb-signature": signBody(CANARY.webhookSecret, body) }, body })).status).toBe(202);
    expect((await api("/api/v1/webhooks/git", { method: "POST", headers: { "x-gitlab-event": "Push Hook", "x-gitlab-token": "not-it" }, body })).status).toBe(401);

    // everything there is to read
    await waitForReady(ns, "in-url");
    for (const path of ["/api/v1/applications", `/api/v1/applications/${ns}/canary`, `/api/v1/applications/${ns}/manual`, `/api/v1/applications/${ns}/in-url`, `/api/v1/applications/${ns}/canary/diff`, `/api/v1/applications/${ns}/in-url/diff`, "/metrics"]) {
      expect((await api(path)).status).toBeLessThan(500);
    }
    const sources: Record<string, string> = {
      "operator output": op.output(),
      events: await kubectl(["get", "events", "-n", ns, "-o", "json"]),
      // the spec of "in-url" holds the password the user put there; what Plumb writes is status
      "Application statuses": JSON.stringify((JSON.parse(await kubectl(["get", "applications.plumb.dev", "-n", ns, "-o", "json"])) as { items: { status?: unknown }[] }).items.map((a) => a.status)),
      "API answers": answers.join("\n"),
    };
    const hits: string[] = [];
    for (const [where, text] of Object.entries(sources)) {
      for (const [name, value] of Object.entries(CANARY)) {
        for (const form of new Set([value, b64(value), encodeURIComponent(value)])) if (text.includes(form)) hits.push(`${name} in ${where}`);
      }
    }
    const lines = op.output().split("\n").length;
    console.log(`secret canaries: ${Object.keys(CANARY).length} canaries × raw/base64 searched in ${lines} operator output lines, ${JSON.parse(sources.events!).items.length} Events, 3 Application statuses, ${answers.length} API answers (incl. /metrics): ${hits.length} hits`);
    expect(hits).toEqual([]);
    // the search would have found them: the live Secret does hold the canary
    expect((await getJSON<{ data: Record<string, string> }>(["secret", "app-secret", "-n", ns]))?.data.password).toBe(b64(CANARY.secretData));
  });
});
