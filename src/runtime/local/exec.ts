// Runs a system tool (ip, iptables-restore, ...) without a shell and with typed failures, so
// callers can tell "the tool said no" (status, stderr) from "the tool is not installed".
import { spawn } from 'node:child_process';
import { WeftError } from '../../lib/errors.js';

/** A system command failed or could not start. */
export class CommandError extends WeftError {
  constructor(
    readonly argv: readonly string[],
    readonly status: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    const why = status === null ? 'could not run' : `exited with status ${status}`;
    super('WEFT_ERR_COMMAND', `${argv.join(' ')}: ${why}${stderr ? `: ${stderr.trim()}` : ''}`, options);
  }
}

export interface RunOptions {
  /** Written to the command's stdin, then stdin is closed. */
  readonly input?: string;
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const argv = [file, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 15_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => reject(new CommandError(argv, null, err.message, { cause: err })));
    child.on('close', (status, signal) => {
      if (status === 0) resolve({ stdout, stderr });
      else reject(new CommandError(argv, status, stderr || (signal ? `killed by ${signal}` : '')));
    });
    // A command that exits without reading stdin makes the write fail with EPIPE: the exit
    // status tells the story, so that error is dropped.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
