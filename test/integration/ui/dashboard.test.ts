import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../../src/api/index.js";
import { applyApplication, configMapYAML, deploymentYAML, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import { builtUi, haveChromium, launchBrowser, newPage, waitText } from "../../support/browser.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace, REPO, waitFor } from "../../support/kube.js";
import { serviceAccountToken } from "../../support/tokens.js";
import { startApiOperator, type ApiOperator } from "../api/harness.js";

const SECRET = "dashboard-webhook-secret";
let git: GitServer;
let op: ApiOperator;
let ns: string;
let repoURL: string;
let editor: string;
let viewer: string;
let browser: Browser;
let page: Page;
let errors: string[];
let v1: string;

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("ui");
  op = await startApiOperator({ namespace: ns, flags: { "api-auth": "kubernetes", "webhook-secret": SECRET, "ui-dir": await builtUi() } });
  repoURL = await git.createRepo("config");
  v1 = await git.commit("config", {
    files: {
      "web/cm.yaml": configMapYAML("web-config", { color: "blue" }),
      "web/deploy.yaml": deploymentYAML("web", { replicas: 1 }),
      // never Ready: the Deployment reports ProgressDeadlineExceeded after 5 s
      "broken/deploy.yaml": deploymentYAML("stuck", { replicas: 1, progressDeadlineSeconds: 5, podLabels: { "kwok.plumb.dev/ready": "false" } }),
      "manual/cm.yaml": configMapYAML("manual-config", { size: "small" }),
    },
  });
  const auto = { automated: { prune: true, selfHeal: true } };
  await applyApplication({ namespace: ns, name: "web", spec: { source: { repoURL, path: "web" }, destination: { namespace: ns }, interval: "1h", syncPolicy: auto } });
  await applyApplication({ namespace: ns, name: "broken", spec: { source: { repoURL, path: "broken" }, destination: { namespace: ns }, interval: "1h", syncPolicy: auto, rollout: { timeout: "20s" } } });
  await applyApplication({ namespace: ns, name: "manual", spec: { source: { repoURL, path: "manual" }, destination: { namespace: ns }, interval: "1h" } });
  [editor, viewer] = await Promise.all([serviceAccountToken(ns, "editor", ["get", "list", "update"]), serviceAccountToken(ns, "viewer", ["get", "list"])]);
  await Promise.all([
    waitForReady(ns, "web", v1),
    waitForApp(ns, "broken", (a) => a.status?.health?.status === "Degraded" && a.status.operationState?.phase !== "Running", { what: "broken Degraded", timeoutMs: 120_000 }),
    waitForApp(ns, "manual", (a) => a.status?.sync?.status === "OutOfSync", { what: "manual OutOfSync" }),
  ]);
  if (haveChromium) {
    browser = await launchBrowser();
    ({ page, errors } = await newPage(browser));
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await op?.stop();
  await git?.stop();
});

const row = (name: string) => page.locator(`tr[data-app="${ns}/${name}"]`);
const healthOf = (name: string) => row(name).locator("td:nth-child(4)");
const syncOf = (name: string) => row(name).locator("td:nth-child(3)");
async function signIn(token: string): Promise<void> {
  await page.getByLabel("Kubernetes bearer token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}
async function confirm(action: string): Promise<void> {
  await page.getByRole("dialog").getByRole("button", { name: action }).click();
}
async function screenshot(name: string): Promise<void> {
  if (!process.env.PLUMB_UPDATE_SCREENSHOTS) return;
  mkdirSync(join(REPO, "docs"), { recursive: true });
  await page.screenshot({ path: join(REPO, "docs", name), fullPage: true });
}

describe.skipIf(!haveChromium)("dashboard in headless Chromium against the operator", () => {
  it("serves / as a redirect, index.html uncached and assets immutable, all with a strict CSP", async () => {
    const root = await fetch(`${op.url}/`, { redirect: "manual" });
    expect([root.status, root.headers.get("location")]).toEqual([302, "/ui/"]);
    const index = await fetch(`${op.url}/ui/apps/${ns}/web`);
    expect(index.status).toBe(200);
    const csp = index.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/);
    const asset = /src="(\/ui\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${op.url}${asset}`);
    expect(js.headers.get("cache-control")).toMatch(/immutable/);
    expect(js.headers.get("cache-control")).toMatch(/max-age=31536000/);
    expect(js.headers.get("content-security-policy")).toBe(csp);
  });

  it("shows a login screen without a token and refuses a bad one", async () => {
    const res = await page.goto(`${op.url}/`);
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'self'");
    await page.getByRole("heading", { name: "Sign in to Plumb" }).waitFor();
    expect(await page.locator("table").count()).toBe(0);
    await signIn("not-a-real-token");
    await waitText(page.getByRole("alert"), /Sign-in failed: .*invalid or expired/);
  });

  it("lists the real apps with their sync, health and failure message", async () => {
    await signIn(editor);
    await page.getByRole("heading", { name: "Applications" }).waitFor();
    await waitText(healthOf("web"), /Healthy/);
    expect(await syncOf("web").textContent()).toContain("Synced");
    expect(await row("web").locator("td:nth-child(5)").textContent()).toBe(v1.slice(0, 7));
    await waitText(healthOf("broken"), /Degraded/);
    await waitText(row("broken").locator("td.message"), /stuck/, { what: "the failing Deployment named in the list" });
    expect(await syncOf("manual").textContent()).toContain("OutOfSync");
    expect(await page.locator(".counts").textContent()).toMatch(/3\s*applications/);
    // the filter hides rows without a reload
    await page.getByLabel("Health", { exact: true }).selectOption("Degraded");
    expect(await page.locator("tr[data-app]:visible").count()).toBe(1);
    await page.getByLabel("Health", { exact: true }).selectOption("");
    await page.getByLabel("Filter", { exact: true }).fill("manu");
    expect(await page.locator("tr[data-app]:visible").count()).toBe(1);
    await page.getByLabel("Filter", { exact: true }).fill("");
    await screenshot("dashboard-list.png");
  });

  it("changes a row live, without a reload, when Git moves", async () => {
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    const v2 = await git.commit("config", { files: { "web/cm.yaml": configMapYAML("web-config", { color: "green" }) } });
    const body = JSON.stringify({ repoURL, ref: "refs/heads/main", revision: v2 });
    const hook = await fetch(`${op.url}/api/v1/webhooks/git`, { method: "POST", headers: { "content-type": "application/json", "x-plumb-signature": signBody(SECRET, body) }, body });
    expect(hook.status).toBe(202);
    await waitText(row("web").locator("td:nth-child(5)"), new RegExp(`^${v2.slice(0, 7)}$`), { what: "web's row at the new revision" });
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  it("shows a Degraded app's resource tree down to its Pods, naming the failing object", async () => {
    await row("broken").getByRole("link", { name: "broken" }).click();
    await page.getByRole("heading", { name: "Resources" }).waitFor();
    expect(page.url()).toBe(`${op.url}/ui/apps/${ns}/broken`);
    const deployment = page.locator('li[data-kind="Deployment"][data-name="stuck"]');
    await waitText(deployment.locator(".node").first(), /Degraded/);
    expect(await deployment.locator(".node-message").first().textContent()).toMatch(/progress|deadline|ready/i);
    await deployment.locator('li[data-kind="ReplicaSet"]').first().waitFor();
    const pod = deployment.locator('li[data-kind="ReplicaSet"] li[data-kind="Pod"]').first();
    await pod.waitFor();
    expect(await pod.locator(".node").first().textContent()).toMatch(/Progressing|Degraded/);
    expect(await page.locator('[data-field="health"]').textContent()).toContain("Degraded");
  });

  it("shows the tree and diff of a healthy app", async () => {
    await page.goto(`${op.url}/ui/apps/${ns}/web`);
    await page.locator('li[data-kind="Deployment"][data-name="web"] li[data-kind="ReplicaSet"] li[data-kind="Pod"]').first().waitFor();
    await waitText(page.locator('section[aria-labelledby="diff-h"]'), /In sync with/);
    await screenshot("dashboard-app.png");
  });

  it("syncs an app from its page after confirmation, and the page follows live", async () => {
    await page.goto(`${op.url}/ui/apps/${ns}/manual`);
    await waitText(page.locator('[data-field="sync"]'), /OutOfSync/);
    await waitText(page.locator('section[aria-labelledby="diff-h"]'), /\+ {2}size: small/, { what: "the diff of a new ConfigMap" });
    await page.getByRole("button", { name: "Sync", exact: true }).click();
    await confirm("Sync");
    await waitText(page.locator("#action-status"), /sync requested/);
    await waitForReady(ns, "manual", undefined, 90_000);
    await waitText(page.locator('[data-field="sync"]'), /Synced/, { what: "the page showing Synced" });
    await waitText(page.locator('section[aria-labelledby="history-h"] tbody tr').first(), /Manual/);
  });

  it("rolls back to a history entry", async () => {
    const v3 = await git.commit("config", { files: { "manual/cm.yaml": configMapYAML("manual-config", { size: "large" }) } });
    await page.getByRole("button", { name: "Refresh diff" }).click();
    await waitText(page.locator('section[aria-labelledby="diff-h"]'), /\+ {2}size: large/);
    await page.getByRole("button", { name: "Sync", exact: true }).click();
    await confirm("Sync");
    await waitForApp(ns, "manual", (a) => a.status?.sync?.revision === v3 && a.status.history?.length === 2, { what: "manual at v3" });
    const rows = page.locator('section[aria-labelledby="history-h"] tbody tr');
    await waitFor(async () => (await rows.count()) === 2, { what: "two history rows on the page" });
    const older = (await getApplication(ns, "manual"))!.status!.history!.find((h) => h.revision !== v3)!;
    await page.getByRole("button", { name: `Rollback to history entry ${older.id} (${older.revision.slice(0, 7)})` }).click();
    await confirm("Roll back");
    await waitForApp(ns, "manual", (a) => a.status?.history?.[0]?.trigger === "Rollback" && a.status.sync?.revision === older.revision, { what: "manual rolled back" });
    await waitText(rows.first(), /Rollback/, { what: "the rollback in the page's history" });
  });

  it("shows the API's 403 to a token that may read but not sync", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Plumb" }).waitFor();
    await signIn(viewer);
    await page.getByRole("heading", { name: "manual" }).waitFor();
    await page.getByRole("button", { name: "Sync", exact: true }).click();
    await confirm("Sync");
    await waitText(page.getByRole("alert"), /Sync failed: 403 Forbidden: system:serviceaccount:.*:viewer may not update/);
  });

  it("logged no console errors beyond the expected 401 and 403 answers", () => {
    const unexpected = errors.filter((e) => !/the server responded with a status of (401|403)/.test(e));
    expect(unexpected).toEqual([]);
  });
});
