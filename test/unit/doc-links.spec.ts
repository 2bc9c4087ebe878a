import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Every relative link in the repository's Markdown files, and every file named in
 * docker-compose.yml's comments, points at a file that exists (a doc that links nowhere lies).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SKIP_DIRS = new Set(['node_modules', 'dist', '.stack', 'reports', '.git', 'coverage']);

/**
 * Markdown files of the repository: what git tracks or would track (`git ls-files --cached
 * --others --exclude-standard`), so gitignored output such as bench/results/ is left out; outside a
 * git checkout, every file below the root but the generated and dependency folders.
 */
function markdownFiles(dir = ROOT): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', '*.md'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    return out
      .split('\n')
      .filter(Boolean)
      .map((f) => path.join(ROOT, f))
      .filter((f) => fs.existsSync(f));
  } catch {
    return walk(dir);
  }
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : walk(path.join(dir, e.name));
    return e.name.endsWith('.md') ? [path.join(dir, e.name)] : [];
  });
}

/** Targets of inline Markdown links and images `[text](target)` outside code, without `#anchor` or title. */
export function markdownLinks(text: string): string[] {
  const prose = text.replace(/```[^]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
}

/** Relative file paths (with an extension) named in the `#` comments of a YAML file. */
export function commentPaths(yaml: string): string[] {
  const comments = yaml
    .split('\n')
    .map((l) => /(^|\s)#(.*)$/.exec(l)?.[2] ?? '')
    .join('\n');
  return [
    ...comments.matchAll(/(?:^|[\s("'])((?:\.{0,2}\/)?[\w.-]+(?:\/[\w.-]+)*\.(?:md|ya?ml|json|ts|js|sh|xml|go))\b/g),
  ].map((m) => m[1]);
}

const isRelative = (target: string): boolean => !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(target);

describe('relative links', () => {
  it('finds links and comment paths the way the checks below read them', () => {
    expect(
      markdownLinks('see [a](docs/a.md#x) and ![i](img.svg "t") `[no](code.md)`\n```\n[no](block.md)\n```'),
    ).toEqual(['docs/a.md#x', 'img.svg']);
    expect(commentPaths('# See docs/x.md (y) and conduktor/README.md.\nkey: v # README.md\nurl: a.md')).toEqual([
      'docs/x.md',
      'conduktor/README.md',
      'README.md',
    ]);
  });

  it.each(markdownFiles().map((f) => [path.relative(ROOT, f)]))('%s links only to files that exist', (file) => {
    const abs = path.join(ROOT, file);
    const missing = markdownLinks(fs.readFileSync(abs, 'utf8'))
      .filter(isRelative)
      .map((t) => decodeURI(t.split('#')[0]))
      .filter((t) => t && !fs.existsSync(path.resolve(path.dirname(abs), t)));
    expect(missing).toEqual([]);
  });

  it('docker-compose.yml comments name only files that exist', () => {
    const paths = commentPaths(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'));
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => !fs.existsSync(path.join(ROOT, p)))).toEqual([]);
  });
});
