// Real Chromium for end-to-end tests: Debian's browser, found on PATH or through CHROMIUM_PATH.
import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

/** Where the screenshots of the last run are kept (git-ignored). */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-artifacts/screenshots');

function findOnPath(name: string): string {
  if (name.includes('/')) return name;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${name} was not found on PATH; install Chromium or set CHROMIUM_PATH`);
}

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: findOnPath(process.env.CHROMIUM_PATH ?? 'chromium'), args: FLAGS, headless: true });
}

/** A fresh browser profile, with or without JavaScript, at phone or desktop width. */
export function newContext(browser: Browser, options: { javaScript: boolean; width?: number }): Promise<BrowserContext> {
  return browser.newContext({ javaScriptEnabled: options.javaScript, viewport: { width: options.width ?? 1024, height: 800 } });
}

/** Runs a step; on failure, adds what the page showed (URL and text) to the error. */
export async function step<T>(page: Page, description: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const text = await page.locator('body').innerText({ timeout: 2000 }).catch(() => '(no page text)');
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${description} failed: ${message}\n--- page ${page.url()} showed:\n${text.slice(0, 2000)}`, { cause: error });
  }
}

/** Saves a screenshot of the page under SCREENSHOT_DIR. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: unknown[]; html: string }[] };

/** Runs axe-core on the page (through the debugger, so the page's CSP does not block it). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A readable summary of violations for an assertion message. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.html).slice(0, 3).join('\n  ')}`).join('\n');
}

/** Fails with axe-core's serious and critical findings on the page (checked only with JavaScript on: axe needs script). */
export async function assertAccessible(page: Page, javaScript: boolean): Promise<void> {
  if (!javaScript) return;
  const violations = await seriousViolations(page);
  if (violations.length > 0) throw new Error(`axe-core on ${page.url()}:\n${describeViolations(violations)}`);
}

/** Registers a new account through the site's form and waits for the home timeline it lands on. */
export async function registerInBrowser(page: Page, siteUrl: string, nickname: string): Promise<void> {
  await page.goto(`${siteUrl}/main/register`);
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Password', { exact: true }).fill('browser-password');
  await page.getByLabel('Confirm password').fill('browser-password');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.waitForURL(`${siteUrl}/${nickname}/all`);
}

/** Runs `use` on a page of a fresh browser profile, and closes the profile afterwards whatever happens. */
export async function withPage<T>(browser: Browser, options: { javaScript: boolean; width?: number }, use: (page: Page) => Promise<T>): Promise<T> {
  const context = await newContext(browser, options);
  try {
    return await use(await context.newPage());
  } finally {
    await context.close();
  }
}
