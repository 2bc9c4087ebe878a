import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inboxCsp, loadPage } from './inbox-page';

describe('inboxCsp', () => {
  it('lets the page load only its own script and style, and connect to itself and the messages app', () => {
    const csp = inboxCsp('http://localhost:3000');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self' http://localhost:3000");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe('loadPage', () => {
  it('reads the built files that exist, nothing when the page is not built', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-page-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'inbox.js'), '1');
    const page = loadPage(dir)!;
    expect([...page.keys()].sort()).toEqual(['inbox.js', 'index.html']);
    expect(loadPage(undefined)).toBeUndefined();
  });
});
