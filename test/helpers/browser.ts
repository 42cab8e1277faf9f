// The real browser for the HTML tests: Debian's chromium driven by playwright-core (no browser
// download). Locally a missing chromium skips the tests with the reason; in CI (CI=true) it fails.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.TRACKBENCH_CHROMIUM ?? '/usr/bin/chromium';
export const IN_CI = process.env.CI === 'true';
export const MISSING = existsSync(CHROMIUM) ? null : `chromium not found at ${CHROMIUM}: run npm run setup:browser`;
/** Skip only outside CI; in CI the suite runs and its first test fails on a missing browser. */
export const SKIP = MISSING !== null && !IN_CI;
if (SKIP) console.warn(`skipping the browser tests: ${MISSING}`);

const ARGS = [
  '--no-sandbox', // root in a container has no user namespace for the sandbox
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export interface Loaded {
  page: Page;
  errors: string[];
  requests: string[];
}

/** Opens a file and records console errors, page errors and every request the page makes. */
export async function open(browser: Browser, file: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Loaded> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  return { page, errors, requests };
}

let shots: string | undefined;
/** The folder screenshots go to, printed once so the CI log says where they are. */
export function screenshotDir(): string {
  if (!shots) {
    shots = process.env.TRACKBENCH_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'trackbench-screenshots-'));
    mkdirSync(shots, { recursive: true });
  }
  return shots;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(screenshotDir(), `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  return path;
}

export const count = (page: Page, selector: string): Promise<number> => page.$$eval(selector, (els) => els.length);

/** The report a section was drawn from, read back from the page itself. */
export async function embedded<T>(page: Page, index = 0): Promise<T> {
  const text = await page.textContent(`script#trackbench-data-${index}`);
  return JSON.parse(text ?? 'null') as T;
}
