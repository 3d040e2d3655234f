import { createHmac } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlumbMetrics } from "../../../src/metrics/index.js";
import { applyApplication, conditionOf, deploymentYAML, waitForApp, waitForReady } from "../../support/apps.js";
import { useTestEnvironment } from "../../support/env.js";
import { getJSON, kubectl, REPO } from "../../support/kube.js";
import { startReceiver, until, type Receiver } from "../../notify/receiver.js";

// Notifications from the real operator on the real cluster to local
// receivers that speak each provider's API: commit statuses on the right SHA,
// a Slack message, a signed webhook; a failed rollout and its rollback; a
// receiver that never answers delays nothing; no secret leaks anywhere.

const CANARY = `canary-${Math.random().toString(36).slice(2)}-secret`;
const HMAC_KEY = `hmac-${CANARY}`;

// other worktrees apply their own CRDs to the shared cluster: use ours
beforeAll(async () => {
  await kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(REPO, "deploy/crd/notifiers.plumb.dev.yaml"), "-f", join(REPO, "deploy/crd/applications.plumb.dev.yaml")]);
  await kubectl(["wait", "--for=condition=Established", "crd/notifiers.plumb.dev", "--timeout=60s"]);
});

const metrics = new PlumbMetrics({ processMetrics: false });
const env = useTestEnvironment("notify", { metrics });
const rx = {} as Record<"github" | "gitlab" | "gitea" | "slack" | "webhook" | "hung", Receiver>;

beforeAll(async () => {
  for (const k of ["github", "gitlab", "gitea", "slack", "webhook", "hung"] as const) rx[k] = await startReceiver();
  rx.hung.respond(() => undefined); // accepts the connection, never answers
  const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "notify", namespace: env.ns }, stringData: { token: CANARY, hmacKey: HMAC_KEY } };
  const slackSecret = { apiVersion: "v1", kind: "Secret", metadata: { name: "slack", namespace: env.ns }, stringData: { address: `${rx.slack.url}/services/T0/B0/${CANARY}` } };
  const notifier = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "plumb.dev/v1alpha1", kind: "Notifier", metadata: { name, namespace: env.ns }, spec: { secretRef: { name: "notify" }, selector: { matchLabels: { notify: "yes" } }, ...spec } });
  const items = [
    secret,
    slackSecret,
    notifier("github", { type: "github", address: rx.github.url }),
    notifier("gitlab", { type: "gitlab", address: rx.gitlab.url }),
    notifier("gitea", { type: "gitea", address: rx.gitea.url }),
    notifier("slack", { type: "slack", secretRef: { name: "slack" } }),
    notifier("webhook", { type: "webhook", address: `${rx.webhook.url}/plumb` }),
    notifier("hung", { type: "webhook", address: `${rx.hung.url}/hang` }),
  ];
  await kubectl(["apply", "--server-side", "-f", "-"], { input: items.map((i) => JSON.stringify(i)).join("\n") });
  await until(() => env.op.notifications !== undefined, "operator");
});

afterAll(async () => {
  for (const r of Object.values(rx)) await r?.close();
});

const automated = { automated: { prune: true, selfHeal: true } };
type Status = { state: string; context: string; description: string };
const statuses = (r: Receiver, prefix: string) => r.received.filter((q) => q.path.startsWith(prefix)).map((q) => ({ path: q.path, ...(JSON.parse(q.body) as Status) }));

describe("notifications", () => {
  it("a good commit sets pending then success on its SHA at every Git host, posts to Slack and a signed webhook; a hung receiver delays nothing", async () => {
    const repoURL = await env.git.createRepo("acme/good");
    const sha = await env.git.commit("acme/good", { files: { "web.yaml": deploymentYAML("good", { replicas: 1 }) } });
    await applyApplication({ namespace: env.ns, name: "good", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated } });
    await kubectl(["label", "applications.plumb.dev", "good", "-n", env.ns, "notify=yes"]);
    const ready = await waitForReady(env.ns, "good", sha);
    const readyAt = Date.parse(conditionOf(ready, "Ready")!.lastTransitionTime);
    const context = `plumb/${env.ns}/good`;
    await until(() => statuses(rx.github, "/repos/").some((s) => s.state === "success"), "GitHub success", 60_000);
    const gh = statuses(rx.github, "/repos/");
    expect(gh.map((s) => s.state)).toEqual(["pending", "success"]);
    for (const s of gh) expect(s).toMatchObject({ path: `/repos/acme/good/statuses/${sha}`, context });
    expect(rx.github.received[0]!.headers.authorization).toBe(`Bearer ${CANARY}`);
    const latency = rx.github.received.at(-1)!.at - readyAt;
    console.log(`Ready → GitHub success delivered: ${latency} ms`);

    await until(() => statuses(rx.gitlab, "/api/v4/").some((s) => s.state === "success") && statuses(rx.gitea, "/api/v1/").some((s) => s.state === "success"), "GitLab and Gitea success", 60_000);
    expect(statuses(rx.gitlab, "/api/v4/")).toEqual([
      expect.objectContaining({ path: `/api/v4/projects/acme%2Fgood/statuses/${sha}`, state: "running", context }),
      expect.objectContaining({ path: `/api/v4/projects/acme%2Fgood/statuses/${sha}`, state: "success", context }),
    ]);
    expect(statuses(rx.gitea, "/api/v1/").map((s) => `${s.path} ${s.state} ${s.context}`)).toEqual([`/api/v1/repos/acme/good/statuses/${sha} pending ${context}`, `/api/v1/repos/acme/good/statuses/${sha} success ${context}`]);

    await until(() => rx.webhook.received.length >= 2 && rx.slack.received.length >= 2, "webhook and Slack", 60_000);
    for (const q of rx.webhook.received) {
      expect(q.headers["x-plumb-signature"]).toBe(`sha256=${createHmac("sha256", HMAC_KEY).update(q.body).digest("hex")}`);
    }
    expect(rx.webhook.received.map((q) => JSON.parse(q.body) as { event: string; revision: string; app: unknown })).toEqual([
      expect.objectContaining({ event: "Progressing", revision: sha, app: { namespace: env.ns, name: "good" } }),
      expect.objectContaining({ event: "Synced", revision: sha, app: { namespace: env.ns, name: "good" } }),
    ]);
    expect(rx.slack.received[0]!.path).toBe(`/services/T0/B0/${CANARY}`);
    expect((JSON.parse(rx.slack.received.at(-1)!.body) as { text: string }).text).toContain(`${env.ns}/good`);
    // the hung receiver got its request and holds it; nothing else waited for it
    expect(rx.hung.received.length).toBeGreaterThanOrEqual(1);
    const wh = await getJSON<{ status?: { lastDelivery?: { event: string; revision: string }; conditions?: { type: string; status: string }[] } }>(["notifiers.plumb.dev", "webhook", "-n", env.ns]);
    expect(wh?.status?.lastDelivery).toMatchObject({ event: "Synced", revision: sha });
    expect(wh?.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  });

  it("a failed rollout sets failure and the automatic rollback says RolledBack", async () => {
    const repoURL = await env.git.createRepo("acme/back");
    const good = await env.git.commit("acme/back", { files: { "web.yaml": deploymentYAML("back", { replicas: 2, progressDeadlineSeconds: 8, image: "registry.example/web:good" }) } });
    await applyApplication({ namespace: env.ns, name: "back", spec: { source: { repoURL }, destination: { namespace: env.ns }, interval: "2s", syncPolicy: automated, rollout: { timeout: "2m", autoRollback: true } } });
    await kubectl(["label", "applications.plumb.dev", "back", "-n", env.ns, "notify=yes"]);
    await waitForReady(env.ns, "back", good);
    const bad = await env.git.commit("acme/back", { files: { "web.yaml": deploymentYAML("back", { replicas: 2, progressDeadlineSeconds: 8, image: "registry.example/web:bad", podLabels: { "kwok.plumb.dev/ready": "false" } }) } });
    await waitForApp(env.ns, "back", (a) => conditionOf(a, "Ready")?.reason === "RolledBack", { timeoutMs: 150_000 });
    await until(() => rx.webhook.received.some((q) => (JSON.parse(q.body) as { event: string; revision: string }).event === "RolledBack"), "RolledBack webhook", 60_000);
    const hooks = rx.webhook.received.map((q) => JSON.parse(q.body) as { event: string; revision: string; app: { name: string } }).filter((e) => e.app.name === "back" && e.revision === bad);
    expect(hooks.map((e) => e.event)).toEqual(["Progressing", "Degraded", "RolledBack"]);
    await until(() => statuses(rx.github, `/repos/acme/back/statuses/${bad}`).filter((s) => s.state === "failure").length >= 2, "GitHub failure on the bad SHA", 60_000);
    expect(statuses(rx.github, `/repos/acme/back/statuses/${bad}`).map((s) => s.state)).toEqual(["pending", "failure", "failure"]);
    // the rollback to the good revision is no new "pending" on it
    expect(statuses(rx.github, `/repos/acme/back/statuses/${good}`).map((s) => s.state)).toEqual(["pending", "success"]);
  });

  it("leaks the Secret's token, hmacKey and address nowhere: logs, Events, Notifier status, metrics", async () => {
    const logs = env.op.logs.join("");
    expect(logs).toContain("notification delivered");
    expect(logs).not.toContain(CANARY);
    const events = await kubectl(["get", "events", "-n", env.ns, "-o", "json"]);
    expect(events).not.toContain(CANARY);
    const notifiers = await kubectl(["get", "notifiers.plumb.dev", "-n", env.ns, "-o", "json"]);
    expect(notifiers).toContain("lastDelivery");
    expect(notifiers).not.toContain(CANARY);
    const apps = await kubectl(["get", "applications.plumb.dev", "-n", env.ns, "-o", "json"]);
    expect(apps).not.toContain(CANARY);
    const text = await metrics.render();
    expect(text).toMatch(/plumb_notifications_total\{type="github",result="success"\} [1-9]/);
    expect(text).toContain("plumb_notification_queue_depth");
    expect(text).not.toContain(CANARY);
    const printed = await kubectl(["get", "notifiers.plumb.dev", "-n", env.ns]);
    expect(printed.split("\n")[0]).toMatch(/NAME\s+TYPE\s+READY\s+LAST DELIVERY\s+AGE/);
  });
});
