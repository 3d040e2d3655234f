import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtUi, haveChromium, launchBrowser, newPage } from "../../support/browser.js";
import { createNamespace, kubectl, waitFor } from "../../support/kube.js";
import { startApiOperator, type ApiOperator } from "../api/harness.js";

const APPS = 1_000;
let op: ApiOperator;
let ns: string;
let browser: Browser;

beforeAll(async () => {
  ns = await createNamespace("ui-scale");
  // auth "none" on loopback: the dashboard must not ask for a token
  op = await startApiOperator({ namespace: ns, flags: { "api-auth": "none", "ui-dir": await builtUi() } });
  // suspended apps: the operator keeps them in its cache and never reconciles them, so 1,000 cost the cluster nothing else
  const items = Array.from({ length: APPS }, (_, i) => ({
    apiVersion: "plumb.dev/v1alpha1",
    kind: "Application",
    metadata: { name: `app-${String(i).padStart(4, "0")}`, namespace: ns },
    spec: { source: { repoURL: "http://127.0.0.1:9/none.git", path: `apps/${i}` }, destination: { namespace: ns }, suspend: true, interval: "1h" },
  }));
  await kubectl(["apply", "--server-side", "--field-manager=test", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items }) });
  await waitFor(() => op.running.parts.apps.list().length === APPS, { timeoutMs: 120_000, what: `${APPS} apps in the operator's cache` });
  if (haveChromium) browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await op?.stop();
  if (ns) await kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
});

describe.skipIf(!haveChromium)("dashboard with 1,000 applications", () => {
  it("renders the list from one snapshot without a login (auth none), and records how long it took", async () => {
    const { page, errors } = await newPage(browser);
    const runs: { render: number; painted: number; complete: number; sinceNavigation: number }[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(`${op.url}/ui/`);
      await waitFor(async () => (await page.locator("tr[data-app]").count()) === APPS, { timeoutMs: 60_000, what: `${APPS} rows` });
      const m = await waitFor(
        () =>
          page.evaluate(() => {
            const get = (n: string) => performance.getEntriesByName(n)[0];
            const painted = get("plumb:list-painted");
            const complete = get("plumb:list-complete");
            return painted && complete ? { render: get("plumb:list-render")!.duration, painted: painted.duration, complete: complete.duration, sinceNavigation: painted.startTime + painted.duration } : undefined;
          }),
        { what: "the list's performance marks" },
      );
      runs.push(m);
    }
    expect(await page.getByRole("heading", { name: "Sign in to Plumb" }).count()).toBe(0);
    expect(await page.locator("#shown").textContent()).toBe(`Showing ${APPS} of ${APPS} applications`);
    const fmt = (k: keyof (typeof runs)[number]) => runs.map((r) => Math.round(r[k])).join(" / ");
    console.log(`list of ${APPS} apps, 3 loads: first rows built in ${fmt("render")} ms and painted ${fmt("painted")} ms after the snapshot arrived (${fmt("sinceNavigation")} ms after navigation); all ${APPS} rows in ${fmt("complete")} ms`);
    // a generous bound on a shared 2-core machine; the numbers are the report
    expect(Math.min(...runs.map((r) => r.painted))).toBeLessThan(10_000);
    expect(errors).toEqual([]);
  });
});
