import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What one command printed (stdout and stderr together) and its exit status. */
export interface CommandResult {
  command: string;
  output: string;
  code: number;
}

/** A command started in the background by {@link ShellSession.background}, in its own process group. */
export interface BackgroundCommand {
  command: string;
  /** Process group id (= the job's pid, `set -m`): signal it as Ctrl-C does with `kill -INT -pgid`. */
  pgid: number;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with its exit code (read from the session) once it exited. */
  exited(): Promise<number>;
}

/**
 * One bash process fed the commands one by one, as a reader types them in one terminal: variables
 * set by one command (`TOKEN=$(...)`) are there for the next. Each command's output goes to its own
 * file; background commands (`npm run dev`, `curl -N`) run as jobs with their own process group.
 */
export class ShellSession {
  private readonly bash: ChildProcess;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-readme-'));
  private seq = 0;
  private stdout = '';
  private readonly waiters: Array<() => void> = [];

  /** @param env the environment of the shell (the README's commands see it) */
  constructor(env: NodeJS.ProcessEnv, cwd: string) {
    this.bash = spawn('bash', ['--norc', '--noprofile'], { cwd, env, stdio: ['pipe', 'pipe', 'ignore'] });
    this.bash.stdout!.setEncoding('utf8');
    this.bash.stdout!.on('data', (d: string) => {
      this.stdout += d;
      this.waiters.splice(0).forEach((w) => w());
    });
    this.bash.stdin!.write('set -m\n');
  }

  private marker(name: string): Promise<string> {
    return new Promise((resolve) => {
      const check = (): void => {
        const m = new RegExp(`${name} (-?\\d+)\\n`).exec(this.stdout);
        if (m) resolve(m[1]);
        else this.waiters.push(check);
      };
      check();
    });
  }

  /** Runs `command` to completion in the session. */
  async run(command: string): Promise<CommandResult> {
    const n = ++this.seq;
    const file = path.join(this.dir, `${n}.out`);
    this.bash.stdin!.write(`{\n${command}\n} > '${file}' 2>&1 < /dev/null; echo "__rc_${n} $?"\n`);
    const code = Number(await this.marker(`__rc_${n}`));
    return { command, output: fs.readFileSync(file, 'utf8'), code };
  }

  /** Starts `command` as a background job of the session. */
  async background(command: string): Promise<BackgroundCommand> {
    const n = ++this.seq;
    const file = path.join(this.dir, `${n}.out`);
    this.bash.stdin!.write(`{\n${command}\n} > '${file}' 2>&1 < /dev/null &\necho "__pid_${n} $!"\n`);
    const pgid = Number(await this.marker(`__pid_${n}`));
    let code: Promise<number> | undefined;
    return {
      command,
      pgid,
      output: () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''),
      exited: () => {
        code ??= (async () => {
          this.bash.stdin!.write(`wait ${pgid}; echo "__exit_${n} $?"\n`);
          return Number(await this.marker(`__exit_${n}`));
        })();
        return code;
      },
    };
  }

  /** Ends the shell (background jobs still running are sent SIGKILL first) and deletes the output files. */
  close(jobs: BackgroundCommand[] = []): void {
    for (const j of jobs) {
      try {
        process.kill(-j.pgid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    this.bash.stdin!.end('exit\n');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
