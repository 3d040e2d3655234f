import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { buildUi } from "../../ui/build.js";
import { scratchDir } from "./scratch.js";
import { waitFor } from "./kube.js";

/** Debian's Chromium (installed by `make browser`); playwright-core never downloads one. */
export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);

/** Builds the dashboard into a fresh directory (for the operator's --ui-dir), as `npm run build` does. */
export async function builtUi(): Promise<string> {
  const dir = scratchDir("plumb-ui-");
  await buildUi(dir);
  return dir;
}

/**
 * Headless Chromium with no background networking; playwright gives every
 * launch a fresh temporary profile (its own --user-data-dir).
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A page that records console errors and uncaught exceptions. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  return { context, page, errors };
}

/** Waits until the locator's text matches. */
export async function waitText(locator: Locator, pattern: RegExp, opts: { timeoutMs?: number; what?: string } = {}): Promise<string> {
  return waitFor(
    async () => {
      const text = (await locator.first().textContent({ timeout: 2_000 }).catch(() => null)) ?? "";
      return pattern.test(text) ? text : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 200, what: opts.what ?? `text ${pattern}` },
  );
}
