/**
 * Reads the shell commands a reader is told to type: the ```bash blocks of a README section, and the
 * "Try it" text `npm run dev` prints. Pure text handling (no shell), so the README test runs exactly
 * what is printed.
 */

/**
 * The logical commands of a shell text: a line ending with `\` and the next ones form one command
 * (kept verbatim), blank lines and whole-line comments dropped (a trailing `# comment` stays: bash
 * ignores it).
 */
export function shellCommands(text: string): string[] {
  const commands: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (!current && (!line.trim() || line.trim().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line}\n`; // kept as typed: bash reads backslash-newline as a continuation
      continue;
    }
    commands.push((current + line).trim());
    current = '';
  }
  if (current.trim()) commands.push(current.trim());
  return commands;
}

/**
 * The ```bash blocks under the Markdown heading `heading` (any level; up to the next heading of the
 * same or a higher level), each as its logical commands.
 * @throws Error when the heading is missing
 */
export function sectionBlocks(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '').trim() === heading);
  if (start < 0) throw new Error(`README has no heading "${heading}"`);
  const level = /^#+/.exec(lines[start])![0].length;
  const blocks: string[][] = [];
  let block: string[] | null = null;
  for (const line of lines.slice(start + 1)) {
    if (block === null && new RegExp(`^#{1,${level}} `).test(line)) break;
    if (block === null && /^```(bash|sh|shell)\s*$/.test(line)) block = [];
    else if (block !== null && /^```\s*$/.test(line)) {
      blocks.push(shellCommands(block.join('\n')));
      block = null;
    } else if (block !== null) block.push(line);
  }
  return blocks;
}

/**
 * The commands of the "Try it:" part of `npm run dev`'s output (prefixed lines of the apps skipped):
 * the indented lines after `Try it:` up to the first line that is not indented.
 */
export function tryItCommands(devOutput: string): string[] {
  const lines = devOutput.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Try it:');
  if (start < 0) return [];
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('[')) continue; // an app's log line interleaved with the help text
    if (!/^\s{2}\S/.test(line) && !/^\s{4}\S/.test(line)) break;
    body.push(line);
  }
  return shellCommands(body.join('\n'));
}

/**
 * `command` with the README's default ports replaced by `MESSAGES_PORT` / `NOTIFICATIONS_PORT` when
 * they are set (a test stack beside another one): `localhost:3000` and `localhost:3001` only.
 */
export function withPorts(command: string, env: Record<string, string | undefined> = process.env): string {
  return command
    .replace(/localhost:3000\b/g, `localhost:${env.MESSAGES_PORT || 3000}`)
    .replace(/localhost:3001\b/g, `localhost:${env.NOTIFICATIONS_PORT || 3001}`);
}
