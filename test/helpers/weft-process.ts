// A real `weft <command>` process for tests (the control plane as its Deployments run it, the
// injector, ...): started with the built CLI, ready once its output matches `ready`, killed
// after the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { weftBin } from './proxy-process.js';
import { reapWithTest } from './reaper.js';

export interface WeftProcess {
  readonly child: ChildProcess;
  /** The match of `ready` in the process's output. */
  readonly ready: RegExpExecArray;
  /** stdout + stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

type After = { after(fn: () => void | Promise<void>): void };

export async function startWeft(t: After | undefined, args: readonly string[], ready: RegExp, env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<WeftProcess> {
  const child = spawn(process.execPath, [weftBin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  reapWithTest(child);
  let out = '';
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(kill);
  };
  t?.after(stop);
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const check = (c: Buffer): void => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) resolve(m);
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => reject(new Error(`weft ${args.join(' ')} exited (${code}) before ready:\n${out}`)));
    setTimeout(() => reject(new Error(`weft ${args.join(' ')} not ready in ${timeoutMs} ms:\n${out}`)), timeoutMs).unref();
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { child, ready: match, output: () => out, stop };
}

/** Runs `weft <args>` to completion (stdin optional) and returns its exit code and output. */
export function runWeft(args: readonly string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [weftBin, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
