// Test helpers for load through a proxy: backends that count what they receive (with a delay
// or a status of choice), a keep-alive client (proxy-form or origin-form), and load runners
// that keep every outcome so a test can count failures instead of stopping at the first.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Address } from '../../src/lib/address.js';

export type After = { after(fn: () => Promise<void> | void): void };

export interface Counted {
  readonly name: string;
  readonly addr: Address;
  hits: number;
  /** Hits per path (without the query). */
  readonly byPath: Map<string, number>;
  close(): Promise<void>;
}

export interface BackendBehaviour {
  /** Loopback address to listen on (default 127.0.0.1). */
  readonly host?: string;
  readonly delayMs?: number;
  /** Status for a request (`n` is this backend's hit count, from 1). Default 200. */
  readonly status?: (path: string, n: number) => number;
}

/** An HTTP/1.1 backend that counts hits and answers its name (after a delay, with a status). */
export async function counted(t: After, name: string, how: BackendBehaviour = {}): Promise<Counted> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    b.hits++;
    b.byPath.set(path, (b.byPath.get(path) ?? 0) + 1);
    const status = how.status?.(path, b.hits) ?? 200;
    const answer = (): void => {
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(name) });
      res.end(name);
    };
    req.resume();
    if (how.delayMs) setTimeout(answer, how.delayMs);
    else answer();
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = how.host ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(0, host, r));
  let closed: Promise<void> | undefined;
  const b: Counted = {
    name,
    addr: { host, port: (server.address() as AddressInfo).port },
    hits: 0,
    byPath: new Map(),
    close: () =>
      (closed ??= new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      })),
  };
  t.after(() => b.close());
  return b;
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly ms: number;
}

/**
 * A client of the proxy over kept-alive connections: proxy-form requests (explicit-proxy mode),
 * or with `originForm` the origin-form an intercepted app sends (the Host header only).
 */
export function client(t: After, proxy: { readonly outbound: Address }, maxSockets = 16, originForm = false) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  t.after(() => agent.destroy());
  return (authority: string, path = '/', method = 'GET'): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const req = http.request({ host: proxy.outbound.host, port: proxy.outbound.port, method, path: originForm ? path : `http://${authority}${path}`, headers: { host: authority }, agent });
      req.setTimeout(10_000, () => req.destroy(new Error(`client timeout: ${authority}${path}`)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), ms: performance.now() - start }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}

export type Outcome = Reply | Error;

/** Sends `n` requests, `concurrency` at a time; failures are kept as errors, not thrown. */
export async function load(n: number, concurrency: number, one: (i: number) => Promise<Reply>): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      out[i] = await one(i).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Load that runs until stopped; `stop()` resolves with every outcome. */
export function background(concurrency: number, one: () => Promise<Reply>): { stop(): Promise<Outcome[]>; readonly sent: number } {
  const out: Outcome[] = [];
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) out.push(await one().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
  };
  const all = Promise.all(Array.from({ length: concurrency }, worker));
  return {
    async stop() {
      running = false;
      await all;
      return out;
    },
    get sent() {
      return out.length;
    },
  };
}

export const failures = (o: readonly Outcome[]): string[] =>
  o.flatMap((r) => (r instanceof Error ? [r.message] : r.status === 200 ? [] : [`${r.status} ${String(r.headers['weft-proxy-error'] ?? r.body)}`]));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
