// Helpers for the demo app's tests: the components in-process on 127.0.0.1 port 0, as child
// processes of dist/examples/demo/main.js, a forward proxy that records what it is asked, and
// a small HTTP client.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Logger } from '../../src/lib/log.js';
import { parseCatalogConfig, parseVotingConfig, parseWebConfig } from '../../examples/demo/config.js';
import { startCatalog } from '../../examples/demo/catalog.js';
import { startVoting } from '../../examples/demo/voting.js';
import { startWeb } from '../../examples/demo/web.js';
import type { Running } from '../../examples/demo/serve.js';
import type { Rng } from '../../examples/demo/rng.js';

export const MAIN_JS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'demo', 'main.js');

/** A logger that keeps its lines (for assertions and for quiet test output). */
export function memoryLogger(scope: string): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: new Logger('debug', scope, (l) => lines.push(l)), lines };
}

export interface Stack {
  readonly catalog: Running;
  readonly voting: Running;
  readonly web: Running;
  readonly webUrl: string;
  close(): Promise<void>;
}

/** catalog, voting and web in-process on 127.0.0.1 port 0; `env` adds to the web's variables. */
export async function startStack(opts: { rng?: Rng; failRate?: number; webEnv?: Record<string, string> } = {}): Promise<Stack> {
  const loopback = { LISTEN_ADDR: '127.0.0.1:0' };
  const catalog = await startCatalog(parseCatalogConfig(loopback), memoryLogger('catalog').log);
  const voting = await startVoting(
    parseVotingConfig({ ...loopback, FAIL_RATE: String(opts.failRate ?? 0.25) }),
    memoryLogger('voting').log,
    opts.rng ? { rng: opts.rng } : {},
  );
  const web = await startWeb(parseWebConfig({
    ...loopback,
    CATALOG_ADDR: `127.0.0.1:${catalog.address.port}`,
    VOTING_ADDR: `127.0.0.1:${voting.address.port}`,
    ...opts.webEnv,
  }), memoryLogger('web').log);
  return {
    catalog, voting, web,
    webUrl: `http://127.0.0.1:${web.address.port}`,
    close: async () => {
      await web.close();
      await Promise.all([catalog.close(), voting.close()]);
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = unknown>(): T;
}

/** One HTTP/1.1 request on a fresh connection (no agent, so nothing lingers after a test). */
export function http(url: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface RecordingProxy {
  readonly url: string;
  /** "GET http://catalog.demo:7081/items" and "CONNECT voting.demo:7082" lines, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

/**
 * A forward proxy like the runtime's explicit-proxy mode: absolute-form HTTP/1.1 requests and
 * CONNECT tunnels, with names resolved through `names` (as the weft proxy resolves them).
 */
export async function startRecordingProxy(names: Record<string, number>): Promise<RecordingProxy> {
  const seen: string[] = [];
  const resolvePort = (authority: string): number | undefined => names[authority];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const u = new URL(req.url ?? '');
    const port = resolvePort(u.host);
    if (port === undefined) {
      res.writeHead(502).end();
      return;
    }
    const up = request({ host: '127.0.0.1', port, method: req.method, path: u.pathname + u.search, headers: req.headers, agent: false }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const port = resolvePort(req.url ?? '');
    if (port === undefined) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const up = connect(port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly stderr: () => string;
  /** Resolves with the "listening on host:port" address a server prints. */
  readonly listening: Promise<string>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** Starts `node dist/examples/demo/main.js <component>` with exactly `env` (plus PATH). */
export function spawnComponent(component: string, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [MAIN_JS, component], { env: { PATH: process.env['PATH'] ?? '', ...env } });
  let out = '';
  let err = '';
  proc.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const listening = new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    proc.once('exit', (code) => reject(new Error(`${component} exited (${code}) before listening: ${err}`)));
  });
  listening.catch(() => {});
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, stderr: () => err, listening, exited };
}

/** Waits until `check` returns true, polling every 20 ms, failing after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
