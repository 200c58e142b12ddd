// Runs real client tools (curl, wrk, h2load) for tests.
import { execFile } from 'node:child_process';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** curl -s with `args`, returning status line + headers and body split. */
export async function curl(args: string[]): Promise<{ status: number; headers: Record<string, string>; body: string; code: number }> {
  const r = await run('curl', ['-s', '-S', '-i', '--max-time', '10', ...args]);
  const text = r.stdout.replace(/\r\n/g, '\n');
  // skip interim 1xx blocks
  const blocks = text.split('\n\n');
  let i = 0;
  while (i < blocks.length - 1 && /^HTTP\/\S+ 1\d\d/.test(blocks[i] ?? '')) i++;
  const head = blocks[i] ?? '';
  const body = blocks.slice(i + 1).join('\n\n');
  const lines = head.split('\n');
  const status = Number(/^HTTP\/\S+ (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    if (c > 0) headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
  }
  return { status, headers, body, code: r.code };
}
