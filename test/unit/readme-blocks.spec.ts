import { sectionBlocks, shellCommands, tryItCommands, withPorts } from '../support/readme-blocks';

describe('README block reading (the README test runs what these return)', () => {
  it('keeps continued lines as one command, verbatim, and drops comments-only and blank lines', () => {
    expect(shellCommands('# setup\nA=$(x)\n\ncurl -s a \\\n  -H b   \nls   # list\n')).toEqual([
      'A=$(x)',
      'curl -s a \\\n  -H b',
      'ls   # list',
    ]);
  });

  it('reads the bash blocks of one section only', () => {
    const md =
      '# T\n## One\n```bash\na\n```\ntext\n```text\nno\n```\n### Sub\n```bash\nb \\\n c\n```\n## Two\n```bash\nz\n```\n';
    expect(sectionBlocks(md, 'One')).toEqual([['a'], ['b \\\n c']]);
    expect(sectionBlocks(md, 'Two')).toEqual([['z']]);
    expect(() => sectionBlocks(md, 'Three')).toThrow('no heading "Three"');
  });

  it('reads the "Try it" commands of the dev output, skipping app log lines', () => {
    const out = 'x\nTry it:\n  A=$(t)\n[messages] log line\n  curl a \\\n    -d b\nCtrl-C stops\n  not this\n';
    expect(tryItCommands(out)).toEqual(['A=$(t)', 'curl a \\\n    -d b']);
  });

  it('moves only the default app ports', () => {
    const env = { MESSAGES_PORT: '33000', NOTIFICATIONS_PORT: '33001' };
    expect(withPorts('curl http://localhost:3000/a http://localhost:3001/b http://localhost:30001', env)).toBe(
      'curl http://localhost:33000/a http://localhost:33001/b http://localhost:30001',
    );
    expect(withPorts('curl http://localhost:3000/a', {})).toBe('curl http://localhost:3000/a');
  });
});
