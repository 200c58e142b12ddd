// Child processes of the harness. Each runs in its own process group (detached), is remembered
// until it exits, and is killed as a group on stop, on error, on Ctrl-C and at exit, so a
// benchmark never leaves an nginx or a proxy behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { BenchTargetError, BenchToolError } from './errors.js';
import { processTicks } from './results.js';

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

const live = new Set<Proc>();

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** stdout and stderr are appended here. */
  readonly logPath: string;
  /** CPU list for `taskset -c` (taskset execs the command, so the pid stays the same). */
  readonly pin?: string;
}

export function startProcess(name: string, cmd: string, args: readonly string[], opts: StartOptions): Proc {
  const [file, argv] = opts.pin ? ['taskset', ['-c', opts.pin, cmd, ...args]] : [cmd, [...args]];
  const fd = openSync(opts.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, argv, { detached: true, stdio: ['ignore', fd, fd], env: opts.env ?? process.env, cwd: opts.cwd });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new BenchTargetError(`${name}: could not spawn ${file}`);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(err.message));
  });
  const proc: Proc = { name, pid: child.pid, logPath: opts.logPath, child, exited };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the group, SIGKILL after `graceMs`. */
export async function stopProcess(p: Proc, graceMs = 3000): Promise<void> {
  if (!live.has(p)) return;
  killGroup(p.pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
  if ((await Promise.race([p.exited, late])) === 'late') {
    killGroup(p.pid, 'SIGKILL');
    await p.exited;
  }
  clearTimeout(timer);
}

/** Synchronous last resort (exit handler, signals): SIGKILL every live group. */
export function killAllNow(): void {
  for (const p of live) killGroup(p.pid, 'SIGKILL');
  live.clear();
}

/** Kills everything and runs `cleanup` on Ctrl-C, SIGTERM and exit. */
export function installCleanup(cleanup: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    killAllNow();
    cleanup();
  };
  process.once('exit', once);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`\nbench: ${sig}, stopping everything`);
      once();
      process.exit(130);
    });
  }
}

export interface ToolOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool to completion, collecting its output; killed (as a group) after `timeoutMs`. */
export function runTool(cmd: string, args: readonly string[], timeoutMs: number): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc: Proc = { name: cmd, pid: child.pid ?? 0, logPath: '', child, exited: new Promise(() => {}) };
    if (child.pid) live.add(proc);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => killGroup(proc.pid, 'SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      live.delete(proc);
      reject(new BenchToolError(`${cmd}: ${err.message}`, { cause: err }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(proc);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new BenchToolError(`${cmd} ${args.join(' ')} exited with ${code ?? signal}:\n${(stderr || stdout).slice(-800)}`));
    });
  });
}

/** A port that was free a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function tcpOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The last line of a process's log, for an error that outlives the work dir it is in. */
function lastLine(path: string | undefined): string {
  if (!path) return '(no log)';
  try {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    return (lines[lines.length - 1] ?? '').slice(0, 300) || '(empty log)';
  } catch {
    return `(no log at ${path})`;
  }
}

/** Polls `check` every 50 ms until it is true; fails after `timeoutMs` or if `proc` exits. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: Proc, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | string | undefined;
  void proc?.exited.then((c) => (exited = c));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new BenchTargetError(`${what}: process exited (${exited}) before it was ready: ${lastLine(proc?.logPath)}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new BenchTargetError(`${what}: not ready after ${timeoutMs} ms${proc ? `; see ${proc.logPath}` : ''}`);
}

function statusField(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The pid and all its descendants (nginx's worker, anything a proxy forks). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the ")" that ends the command name: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // Exited while we looked.
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  }
  return out;
}

/** Summed VmRSS of the processes' trees, in MB (1 MB = 1024 kB). */
export function rssMb(pids: readonly number[]): number {
  let kb = 0;
  for (const root of pids) for (const pid of processTree(root)) kb += statusField(pid, 'VmRSS') ?? 0;
  return kb / 1024;
}

/** USER_HZ: /proc's tick unit (100 on every Linux this runs on). */
export const TICKS_PER_SECOND = 100;

/** CPU ticks (user + system, incl. reaped children) of the process trees under `pids`. */
export function cpuTicks(pids: readonly number[]): number {
  let ticks = 0;
  for (const root of pids) {
    for (const pid of processTree(root)) {
      try {
        ticks += processTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        // Gone since the tree was listed.
      }
    }
  }
  return ticks;
}
