import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The files of the built page (scripts/build-inbox.js) and the content types they are served with. */
export const PAGE_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'inbox.js': 'text/javascript; charset=utf-8',
  'inbox.js.map': 'application/json; charset=utf-8',
  'inbox.css': 'text/css; charset=utf-8',
} as const;

/** One of {@link PAGE_FILES}. */
export type PageFile = keyof typeof PAGE_FILES;

/**
 * Where the built page is: `dist/apps/notifications/web`, found from the compiled app
 * (`dist/apps/notifications/apps/notifications/src/inbox-page`) or from the sources (tests, ts-node).
 * @returns the directory, or undefined when the page was not built (`npm run build`)
 */
export function findPageDir(from = __dirname): string | undefined {
  const candidates = [
    resolve(from, '..', '..', '..', '..', 'web'),
    resolve(from, '..', '..', '..', '..', 'dist', 'apps', 'notifications', 'web'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * Reads the built page's files in `dir` ({@link findPageDir}) into memory (a few tens of KiB);
 * undefined when it is not built.
 */
export function loadPage(dir: string | undefined): Map<PageFile, Buffer> | undefined {
  if (!dir) return undefined;
  return new Map(
    (Object.keys(PAGE_FILES) as PageFile[])
      .filter((f) => existsSync(join(dir, f)))
      .map((f) => [f, readFileSync(join(dir, f))]),
  );
}

/**
 * Content-Security-Policy of the inbox page (W3C CSP Level 3): its own script and stylesheet only
 * (no inline script or style), no frames, forms submitted by script only; `connect-src` allows this
 * origin (API calls, Socket.IO polling and its WebSocket: `'self'` matches `ws:`/`wss:` of the same
 * host in CSP Level 3) and the messages app's origin. The API keeps its stricter API_CSP.
 */
export function inboxCsp(messagesUrl: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${new URL(messagesUrl).origin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
