/**
 * The README's local commands, run as printed (issue 13): the "By hand" block against `npm run dev`,
 * the "Try it" text `npm run dev` prints, the dev runner's watch mode and crash restart, and the
 * "Watch it work" blocks (Kafka tools, stack:status, a consumer group's lag growing and draining).
 * Every README command of those sections must match one expectation below, else the test fails:
 * a command added to the README needs a check here.
 *
 * Runs in `npm test` (project `readme`) next to the servers `stack/cli.js test` provides; `npm run dev`
 * reuses them. The apps listen on MESSAGES_PORT / NOTIFICATIONS_PORT (default 3000 / 3001); the
 * README's `localhost:3000/3001` are rewritten to them (see withPorts).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { BackgroundCommand, CommandResult, ShellSession } from '../support/shell-session';
import { sectionBlocks, tryItCommands, withPorts } from '../support/readme-blocks';
import { testServers, uniqueUser } from '../support/env';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const MESSAGES = `http://localhost:${process.env.MESSAGES_PORT || 3000}`;
/** A source file of the notifications app only (edited, then restored, to see the watch restart). */
const NOTIFICATIONS_SOURCE = path.join(ROOT, 'apps', 'notifications', 'src', 'inbox', 'inbox.service.ts');

/** Values one command's check may keep for the next (e.g. the id of the message just posted). */
type Memory = Record<string, unknown>;

interface Expectation {
  /** Which commands this checks. */
  match: RegExp;
  /** Asserts the command's result; may throw. */
  check: (r: CommandResult, memory: Memory) => void;
  /** Re-run the command (every 500 ms, up to 60 s) until the check passes: delivery goes through Kafka. */
  eventually?: boolean;
}

const json = (r: CommandResult): any => {
  expect(r.code).toBe(0);
  try {
    return JSON.parse(r.output);
  } catch {
    throw new Error(`${r.command}\nanswered something that is not JSON: ${r.output}`);
  }
};
const groupLine = (out: string, group: string): { state: string; members: number; lag: number } => {
  const m = new RegExp(`^group ${group}\\s+(\\S+)\\s+members (\\d+)\\s+lag (\\d+)`, 'm').exec(out);
  if (!m) throw new Error(`no line for group ${group} in:\n${out}`);
  return { state: m[1], members: Number(m[2]), lag: Number(m[3]) };
};

const EXPECTATIONS: Expectation[] = [
  {
    match: /^TOKEN_\w+=\$\(npm run -s token -- \w+\)$/,
    check: (r) => expect(r).toMatchObject({ code: 0, output: '' }),
  },
  {
    match: /^curl -s -X POST http:\/\/localhost:\d+\/api\/v1\/messages\b[^]*"recipientIds":\["bob"\]/,
    check: (r, mem) => {
      const body = json(r);
      expect(body).toMatchObject({
        senderId: 'alice',
        recipientIds: ['bob'],
        publishState: expect.stringMatching(/published|pending/),
      });
      mem.postedId = body.id;
      mem.postedAt = body.createdAt;
    },
  },
  {
    match: /^curl -s http:\/\/localhost:\d+\/api\/v1\/notifications -H "Authorization: Bearer \$TOKEN_BOB"$/,
    eventually: true,
    check: (r, mem) => {
      const body = json(r);
      // Its own notification, or (digest of bursts, DIGEST_WINDOW_MS: `npm run dev` keeps the default
      // 60 s, and earlier README commands message bob too) folded into bob's unread one of the
      // conversation: then that one's latest message is this one.
      type Shown = { messageId: string; count: number; lastMessageAt: string };
      const shown = (body.data as Shown[]).filter(
        (n) =>
          n.messageId === mem.postedId ||
          (n.count > 1 && Date.parse(n.lastMessageAt) >= Date.parse(String(mem.postedAt))),
      );
      expect(shown.length).toBeGreaterThan(0);
    },
  },
  {
    match: /^curl -N "http:\/\/localhost:\d+\/api\/v1\/notifications\/stream\?access_token=\$TOKEN_BOB"/,
    check: (r) => expect(r.output).toMatch(/event: unread-count\.changed\ndata: \{"count":[1-9]\d*[,}]/),
  },
  {
    match: /^npm run -s stack:status$/,
    check: (r) => {
      expect(r.code).toBe(0);
      expect(r.output).toMatch(/^kafka\s+running/m);
      expect(r.output).toMatch(/^ {2}message\.created\s+partitions \d+/m);
      groupLine(r.output, 'notifications');
    },
  },
];

/** Expectations of the "Watch it work" blocks, with the lag seen before the messages app posted. */
function watchExpectations(lagBefore: () => number, startedAt: number): Expectation[] {
  return [
    EXPECTATIONS[0],
    {
      match: /^for i in 1 2 3; do curl -s -o \/dev\/null -w '%\{http_code\}\\n' -X POST/,
      check: (r) => expect(r).toMatchObject({ code: 0, output: '201\n201\n201\n' }),
    },
    {
      match: /^npm run -s stack:status\s+# group notifications.*lag grows/,
      check: (r) => {
        const g = groupLine(r.output, 'notifications');
        expect(g.members).toBe(0);
        expect(g.lag).toBeGreaterThanOrEqual(lagBefore() + 3);
      },
    },
    {
      match: /^npm run -s kafka -- kafka-console-consumer --topic message\.created --from-beginning --max-messages 1/,
      check: (r) => {
        expect(r.code).toBe(0);
        expect(r.output).toMatch(/^\S+\t\{"eventId":"[0-9a-f-]{36}","type":"message\.created"/m);
        expect(r.output).toMatch(/Processed a total of 1 messages/);
      },
    },
    {
      match: /^npm run -s stack:status\s+# group notifications.*lag 0/,
      eventually: true,
      check: (r) => expect(groupLine(r.output, 'notifications')).toMatchObject({ state: 'Stable', members: 1, lag: 0 }),
    },
    {
      match: /^npm run -s kafka -- kafka-consumer-groups --describe --group notifications/,
      check: (r) => {
        expect(r.code).toBe(0);
        expect(r.output).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG/);
        // One line per partition; `-` where the group never committed (an empty partition).
        const lines = r.output.split('\n').filter((l) => l.startsWith('notifications '));
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines)
          expect(line).toMatch(
            /^notifications\s+message\.created\s+\d+\s+(\d+|-)\s+\d+\s+(0|-)\s+herald-notifications/,
          );
        expect(lines.some((l) => /^notifications\s+message\.created\s+\d+\s+\d+\s+\d+\s+0\s/.test(l))).toBe(true);
      },
    },
    {
      match: /^npm run -s kafka -- kafka-topics --describe --topic message\.created/,
      check: (r) => {
        expect(r.code).toBe(0);
        expect(r.output).toMatch(/Topic: message\.created\s+TopicId: \S+\s+PartitionCount: \d+/);
      },
    },
    {
      match:
        /^curl -s http:\/\/localhost:\d+\/api\/v1\/notifications -H "Authorization: Bearer \$\(npm run -s token -- carol\)"/,
      eventually: true,
      check: (r) => {
        // carol is the README's user on every run: only this run's notifications count.
        const fresh = json(r).data.filter((n: { createdAt: string }) => Date.parse(n.createdAt) >= startedAt);
        // The three pings of one conversation, consumed together: one notification (digest of a burst).
        expect(fresh.map((n: { preview: string; count: number }) => [n.preview, n.count])).toEqual([['ping 3', 3]]);
      },
    },
  ];
}

describe('README commands, run as printed', () => {
  let shell: ShellSession;
  const jobs: BackgroundCommand[] = [];
  const memory: Memory = {};

  /** Runs one command literally (ports adjusted) and applies its one expectation. */
  async function runChecked(command: string, table: Expectation[]): Promise<CommandResult> {
    const matching = table.filter((e) => e.match.test(command));
    if (matching.length !== 1)
      throw new Error(`README command with ${matching.length} checks (needs exactly 1):\n${command}`);
    const [e] = matching;
    const cmd = withPorts(command);
    if (/^curl -N /.test(cmd)) {
      const job = await background(cmd);
      const r = await waitFor(
        async () => ({ command, output: job.output(), code: 0 }),
        (x) => /data: \{"count":/.test(x.output),
        { timeoutMs: 20_000, what: `an SSE event from ${command}` },
      );
      process.kill(-job.pgid, 'SIGINT');
      await job.exited();
      e.check(r, memory);
      return r;
    }
    if (!e.eventually) {
      const r = await shell.run(cmd);
      e.check(r, memory);
      return r;
    }
    let last: unknown;
    const r = await waitFor(
      () => shell.run(cmd),
      (x) => {
        try {
          e.check(x, memory);
          return true;
        } catch (err) {
          last = err;
          return false;
        }
      },
      { timeoutMs: 60_000, intervalMs: 500, what: command },
    ).catch((err: Error) => {
      throw last instanceof Error ? last : err;
    });
    return r;
  }

  async function background(command: string): Promise<BackgroundCommand> {
    const job = await shell.background(command);
    jobs.push(job);
    return job;
  }

  /** Starts an `npm run dev` line of the README and waits for each app's start-up summary. */
  async function startDev(command: string, apps: string[]): Promise<BackgroundCommand> {
    const job = await background(withPorts(command.replace(/^npm install && /, '').replace(/\s+#.*$/, '')));
    await waitFor(
      async () => job.output(),
      (out) => apps.every((a) => out.includes(`[${a}] `) && new RegExp(`\\[${a}\\].* ${a} ready: `).test(out)),
      { timeoutMs: 180_000, intervalMs: 500, what: `${apps.join(' and ')} ready in: ${command}` },
    );
    return job;
  }

  /** Ctrl-C on a dev runner (SIGINT to its process group, as a terminal does): both apps stop. */
  async function ctrlC(job: BackgroundCommand): Promise<void> {
    process.kill(-job.pgid, 'SIGINT');
    // The runner ends with 0; npm, which got the SIGINT too, reports 130 (128 + SIGINT) as usual.
    expect([0, 130]).toContain(await job.exited());
    expect(job.output()).toContain('[dev] apps stopped; the stack is still running');
  }

  /** True when something accepts connections on 127.0.0.1:port. */
  const portTaken = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });

  beforeAll(async () => {
    testServers(); // fails early outside `npm test`
    for (const [name, port] of [
      ['MESSAGES_PORT', process.env.MESSAGES_PORT || 3000],
      ['NOTIFICATIONS_PORT', process.env.NOTIFICATIONS_PORT || 3001],
    ]) {
      if (await portTaken(Number(port))) {
        throw new Error(
          `port ${port} is in use (an npm run dev already running?): stop it, or set ${name} for this test`,
        );
      }
    }
    // A new user's shell: no secret of their own, no log format, no NODE_ENV set by jest.
    const env = { ...process.env };
    for (const k of ['JWT_SECRET', 'LOG_FORMAT', 'NODE_ENV', 'JEST_WORKER_ID']) delete env[k];
    shell = new ShellSession(env, ROOT);
  });

  afterAll(() => shell?.close(jobs));

  describe('npm run dev (both apps, watch mode)', () => {
    let dev: BackgroundCommand;

    it('starts from the README\'s first block and prints URLs and a "Try it" text', async () => {
      const [setup] = sectionBlocks(README, 'Two commands (no Docker needed)');
      expect(setup[0]).toMatch(/^npm install && npm run dev\s+#/);
      expect(setup[1]).toMatch(/^npm test\s+#/); // what CI runs: this test is part of it
      dev = await startDev(setup[0], ['messages', 'notifications']);
      const out = dev.output();
      expect(out).toContain(`messages       ${MESSAGES}/api/v1`);
      expect(out).toMatch(
        /\[messages\] .*INFO: \[Bootstrap\] messages ready: .* · Kafka \S+ · MongoDB \S+ · consumes message\.created \(group conversations\)/,
      );
      expect(out).toMatch(
        /\[notifications\] .*notifications ready: .*consumes message\.created \(group notifications\)/,
      );
      // Nest's route-mapping records are at debug: not in the console.
      expect(out).not.toMatch(/RouterExplorer|RoutesResolver|InstanceLoader|Mapped \{/);
    });

    it('"Try it": every command it prints works', async () => {
      const commands = tryItCommands(dev.output());
      expect(commands.length).toBeGreaterThanOrEqual(5);
      for (const command of commands) await runChecked(command, EXPECTATIONS);
    });

    it('"By hand": token, POST, GET, SSE as in the README', async () => {
      const [byHand] = sectionBlocks(README, 'Two commands (no Docker needed)').slice(1);
      expect(byHand.length).toBe(5);
      for (const command of byHand) await runChecked(command, EXPECTATIONS);
    });

    it('logs one line per request: method, path, status, ms, request id', async () => {
      const id = `readme-${uniqueUser('req')}`;
      await fetch(`${MESSAGES}/api/v1/messages/000000000000000000000000`, { headers: { 'x-request-id': id } });
      await waitFor(
        async () => dev.output(),
        (out) => out.includes(id),
        { what: 'the request line' },
      );
      expect(dev.output()).toMatch(
        new RegExp(`\\[messages\\] \\[[\\d:.]+\\] INFO: GET /api/v1/messages/0{24} 401 \\d+ ms {2}req ${id}\\n`),
      );
    });

    it('an edit in apps/notifications restarts only notifications', async () => {
      const original = fs.readFileSync(NOTIFICATIONS_SOURCE, 'utf8');
      const before = dev.output().length;
      try {
        fs.writeFileSync(NOTIFICATIONS_SOURCE, `${original}// edited by the README test\n`);
        await waitFor(
          async () => dev.output().slice(before),
          (out) => /\[notifications\] .*notifications ready: /.test(out),
          { timeoutMs: 90_000, intervalMs: 500, what: 'notifications rebuilt and ready' },
        );
      } finally {
        fs.writeFileSync(NOTIFICATIONS_SOURCE, original);
      }
      const window = dev.output().slice(before);
      expect(window).toContain('[dev] notifications: rebuilt, restarting');
      expect(window).not.toMatch(/\[dev\] messages|messages ready: /);
      // The restore is an edit too: wait for it, so the next test sees a settled runner.
      const after = dev.output().length;
      await waitFor(
        async () => dev.output().slice(after),
        (out) => /notifications ready: /.test(out),
        { timeoutMs: 90_000, intervalMs: 500, what: 'notifications rebuilt after the restore' },
      );
    });

    it('a crashed app is restarted, the other keeps running', async () => {
      const pids = [...dev.output().matchAll(/\[dev\] notifications started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
      const before = dev.output().length;
      process.kill(pids[pids.length - 1], 'SIGKILL');
      await waitFor(
        async () => dev.output().slice(before),
        (out) => /notifications ready: /.test(out),
        { timeoutMs: 90_000, intervalMs: 500, what: 'notifications restarted' },
      );
      const window = dev.output().slice(before);
      expect(window).toMatch(
        /\[dev\] notifications exited \(SIGKILL\); restarting in 1 s \(the other app keeps running\)/,
      );
      expect(window).not.toMatch(/\[dev\] messages/);
      expect((await fetch(`${MESSAGES}/health/live`)).status).toBe(200);
    });

    it('Ctrl-C stops both apps', async () => {
      await ctrlC(dev);
    });
  });

  it('"Watch it work": a message travels, the notifications group lags while its app is stopped and drains once it runs', async () => {
    const blocks = sectionBlocks(README, 'Watch it work');
    expect(blocks.map((b) => b.length)).toEqual([1, 4, 1, 4]);
    let lagBefore = 0;
    const table = watchExpectations(() => lagBefore, Date.now() - 1000);
    const status = await shell.run('npm run -s stack:status');
    lagBefore = groupLine(status.output, 'notifications').lag;

    const messages = await startDev(blocks[0][0], ['messages']);
    for (const command of blocks[1]) await runChecked(command, table);
    const notifications = await startDev(blocks[2][0], ['notifications']);
    for (const command of blocks[3]) await runChecked(command, table);
    await ctrlC(notifications);
    await ctrlC(messages);
  });
});
