// Processes of a local run, the primitives: started detached (their own process group, so the
// supervisor can go and `weft down` can stop each with everything it started), output appended
// to a log file, known by pid + start time, stopped by process group with SIGTERM then SIGKILL.
// Plus the waits the runtime needs: a TCP port accepting, an HTTP endpoint answering 200, ports
// listening. Keeping processes running is supervised-process.ts.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { WeftError } from '../../lib/errors.js';
import type { RunAs } from './netns.js';
import { netnsArgv } from './netns.js';

export class ProcessStartError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_PROCESS_START', message, options);
  }
}

export class ReadyTimeoutError extends WeftError {
  constructor(message: string) {
    super('WEFT_ERR_READY_TIMEOUT', message);
  }
}

export interface StartOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly log: string;
  /** Run inside this network namespace (`ip netns exec`), as `as` (setpriv). */
  readonly netns?: string | undefined;
  readonly as?: RunAs | undefined;
}

/** Starts a detached process writing to `log`; resolves with its pid once it has spawned. */
export function startProcess(o: StartOptions): Promise<number> {
  const [file, ...args] = o.argv;
  if (file === undefined) throw new ProcessStartError('empty command');
  // `ip netns exec` and setpriv exec(2) the program: the pid is the program's own.
  const [f, a] = o.netns ? netnsArgv(o.netns, file, args, o.as) : [file, args];
  const fd = openSync(o.log, 'a');
  try {
    const child = spawn(f, a, { cwd: o.cwd, env: { ...o.env }, detached: true, stdio: ['ignore', fd, fd] });
    return new Promise((resolve, reject) => {
      child.once('error', (err) => reject(new ProcessStartError(`${o.argv.join(' ')}: ${err.message}`, { cause: err })));
      child.once('spawn', () => {
        child.unref();
        resolve(child.pid as number);
      });
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * The process's start time (clock ticks since boot, /proc/<pid>/stat field 22): with the pid it
 * names one process for good, so a stale run.json never makes `down` signal a process that
 * merely reuses a recorded pid. Undefined without /proc.
 */
export function startTimeOf(pid: number): string | undefined {
  const stat = readFileSyncSafe(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** True while `pid` runs (and, when `startTime` is given, is still the process recorded). */
export function isAlive(pid: number | undefined, startTime?: string): boolean {
  if (pid === undefined || pid <= 0) return false;
  if (startTime !== undefined && startTimeOf(pid) !== startTime) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by its parent) is not running.
  // (no /proc, not Linux: trust kill(0))
  const stat = readFileSyncSafe(`/proc/${pid}/stat`);
  return !(stat && /\) Z /.test(stat));
}

function readFileSyncSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the process group (or the pid), SIGKILL after `graceMs`; resolves once gone. */
export async function stopProcess(pid: number, graceMs = 5000, startTime?: string): Promise<void> {
  if (startTime !== undefined && startTimeOf(pid) !== startTime) return; // gone; the pid may be another's now
  const signal = (sig: NodeJS.Signals): void => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, sig);
      } catch {
        /* gone, or not a group leader */
      }
    }
  };
  if (!isAlive(pid)) return signal('SIGKILL'); // group members may outlive the leader
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  signal('SIGKILL');
  while (isAlive(pid) && Date.now() < deadline + 2000) await sleep(20);
}

/** The last `lines` lines of a log file ('' when unreadable). */
export async function tail(file: string, lines = 20): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '';
  }
}

function tryConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(500);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export function httpStatus(url: string, timeoutMs = 1000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.once('error', () => resolve(undefined));
    req.once('timeout', () => {
      req.destroy();
      resolve(undefined);
    });
  });
}

export interface WaitOptions {
  readonly timeoutMs: number;
  /** Gives up early (with the reason) when this returns a string, e.g. "the process exited". */
  readonly abort?: () => string | undefined;
  readonly what: string;
}

async function waitFor(check: () => Promise<boolean>, o: WaitOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    if (await check()) return;
    const why = o.abort?.();
    if (why) throw new ReadyTimeoutError(`${o.what}: ${why}`);
    if (Date.now() >= deadline) throw new ReadyTimeoutError(`${o.what}: not ready after ${o.timeoutMs} ms`);
    await sleep(100);
  }
}

export function waitForPort(host: string, port: number, o: WaitOptions): Promise<void> {
  return waitFor(() => tryConnect(host, port), o);
}

export function waitForHttp200(url: string, o: WaitOptions): Promise<void> {
  return waitFor(async () => (await httpStatus(url)) === 200, o);
}

/** TCP ports in LISTEN state in the network namespace of `pid` (from /proc/<pid>/net/tcp*). */
export function listeningPorts(pid: number): Set<number> {
  const out = new Set<number>();
  for (const f of ['tcp', 'tcp6']) {
    const text = readFileSyncSafe(`/proc/${pid}/net/${f}`) ?? '';
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is "HEXIP:HEXPORT"; state 0A is LISTEN.
      if (cols[3] === '0A') out.add(parseInt((cols[1] ?? '').split(':')[1] ?? '', 16));
    }
  }
  return out;
}

/** True when every port listens in the process's namespace (no /proc: true). */
export function listensOn(pid: number, ports: readonly number[]): boolean {
  if (ports.length === 0 || readFileSyncSafe(`/proc/${pid}/net/tcp`) === undefined) return true;
  // Until `ip netns exec` and setpriv have exec'd the app, /proc/<pid>/net is theirs.
  const comm = (readFileSyncSafe(`/proc/${pid}/comm`) ?? '').trim();
  if (comm === 'ip' || comm === 'setpriv') return false;
  const l = listeningPorts(pid);
  return ports.every((p) => l.has(p));
}

/** Waits until every port listens in the process's namespace (no /proc: returns at once). */
export function waitListening(pid: number, ports: readonly number[], o: WaitOptions): Promise<void> {
  if (ports.length === 0 || readFileSyncSafe(`/proc/${pid}/net/tcp`) === undefined) return Promise.resolve();
  return waitFor(async () => listensOn(pid, ports), o);
}
