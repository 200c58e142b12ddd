// One process kept running by the supervisor: started detached (its own process group, output
// appended to its log file) but as the supervisor's child, so its exit is an event with a code
// or a signal rather than something found by polling. After an exit it is started again after
// the restart policy's delay, with fresh options (a proxy gets a new join token), until stop().
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { RestartPolicyOptions } from './restart-policy.js';
import { RestartBackoff } from './restart-policy.js';
import { netnsArgv } from './netns.js';
import type { StartOptions } from './supervisor.js';
import { ProcessStartError, startTimeOf, stopProcess } from './supervisor.js';

/** How a process ended: exit code or signal, and when (ISO time). */
export interface ExitRecord {
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: string;
}

export interface SupervisedHooks {
  /** A (re)start: the new pid. */
  onStart?(pid: number, startTime: string | undefined, restarts: number): void;
  /** An exit; `restartInMs` is undefined when the process will not be started again. */
  onExit?(exit: ExitRecord, restartInMs: number | undefined): void;
  /** A restart that could not even spawn (the next attempt is scheduled). */
  onStartError?(err: Error): void;
}

export class SupervisedProcess {
  pid: number | undefined;
  startTime: string | undefined;
  restarts = 0;
  lastExit: ExitRecord | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private startedAt = 0;
  private readonly backoff: RestartBackoff;

  constructor(
    readonly name: string,
    /** Called before every start (options may change between restarts). */
    private readonly options: () => StartOptions | Promise<StartOptions>,
    private readonly hooks: SupervisedHooks = {},
    policy: RestartPolicyOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.backoff = new RestartBackoff(policy);
  }

  /** True while the current process runs. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** First start; rejects when the program cannot be spawned. */
  async start(): Promise<number> {
    this.stopped = false;
    return this.spawnOnce(await this.options());
  }

  private spawnOnce(o: StartOptions): Promise<number> {
    const [file, ...args] = o.argv;
    if (file === undefined) throw new ProcessStartError('empty command');
    // `ip netns exec` and setpriv exec(2) the program: the pid is the program's own.
    const [f, a] = o.netns ? netnsArgv(o.netns, file, args, o.as) : [file, args];
    const fd = openSync(o.log, 'a');
    let child: ChildProcess;
    try {
      child = spawn(f, a, { cwd: o.cwd, env: { ...o.env }, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    return new Promise((resolve, reject) => {
      child.once('error', (err) => reject(new ProcessStartError(`${o.argv.join(' ')}: ${err.message}`, { cause: err })));
      child.once('spawn', () => {
        if (this.stopped) {
          // stop() came while this start was under way: it must not outlive it.
          void stopProcess(child.pid as number, 1000);
          reject(new ProcessStartError(`${this.name}: stopped while starting`));
          return;
        }
        this.child = child;
        this.pid = child.pid as number;
        this.startTime = startTimeOf(this.pid);
        this.startedAt = this.now();
        this.exited = new Promise((done) => child.once('exit', (code, signal) => {
          this.onChildExit(child, code, signal);
          done();
        }));
        this.hooks.onStart?.(this.pid, this.startTime, this.restarts);
        resolve(this.pid);
      });
    });
  }

  private onChildExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.lastExit = { code, signal, at: new Date(this.now()).toISOString() };
    if (this.stopped) {
      this.hooks.onExit?.(this.lastExit, undefined);
      return;
    }
    const delay = this.backoff.next(this.now() - this.startedAt);
    this.hooks.onExit?.(this.lastExit, delay);
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.restarts++;
      Promise.resolve(this.options()).then((o) => this.spawnOnce(o)).catch((err: unknown) => {
        this.hooks.onStartError?.(err as Error);
        if (!this.stopped) this.schedule(this.backoff.next(0));
      });
    }, delay);
  }

  /** No more restarts; SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it exited. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const pid = this.pid;
    if (this.child && pid !== undefined) await stopProcess(pid, graceMs, this.startTime);
    // The exit event follows the reaping; bounded, in case the pid outlived its record.
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  /** Stops supervising without stopping the process (the supervisor is going away). */
  detach(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
