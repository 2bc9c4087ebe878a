import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

/** Chromium flags for a headless run in CI (the list): no sandbox, GPU, background traffic or first-run UI. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where the browser test's screenshots go (reports/ is not committed). */
export const SCREENSHOT_DIR = join(resolve(__dirname, '..', '..'), 'reports', 'browser');

/**
 * The system Chromium (Debian package `chromium`, installed by .ci/run): `CHROMIUM_PATH`, else
 * `chromium` or `chromium-browser` on PATH. Playwright's own browser download is never used.
 * @throws Error naming the fix when none is found
 */
export function systemChromium(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not this one
    }
  }
  throw new Error('no Chromium found: apt-get install -y chromium (or set CHROMIUM_PATH)');
}

/** One user's browser: its own Chromium with a fresh user-data-dir under the OS temp dir. */
export interface UserBrowser {
  context: BrowserContext;
  /** Browser console errors, uncaught page errors (CSP violations show here) and 4xx/5xx answers. */
  errors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches the system Chromium headless with {@link CHROMIUM_FLAGS} and a fresh profile. */
export async function launchUserBrowser(name: string): Promise<UserBrowser> {
  const profile = mkdtempSync(join(tmpdir(), `herald-browser-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: systemChromium(),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 900, height: 760 },
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => m.type() === 'error' && errors.push(`${name} console: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(`${name} page: ${e.message}`));
    page.on(
      'response',
      (r) => r.status() >= 400 && errors.push(`${name} ${r.request().method()} ${r.url()}: ${r.status()}`),
    );
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    errors,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as reports/browser/<name>.png. @returns its path relative to the repo */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return join('reports', 'browser', `${name}.png`);
}

/** A loopback port free right now (the OS picks it), for apps that must know each other's URL before they listen. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}
