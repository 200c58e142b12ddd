// What the bounded-memory and chaos tests read from a running proxy process: its metrics by
// name and label, its RSS once settled, and a raw connection's whole answer.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Address } from '../../src/lib/address.js';
import { sleep } from './http-load.js';
import type { ProxyProcess } from './proxy-process.js';
import { url } from './proxy.js';

/** The sum of the samples of `name` whose labels contain `match`. */
export async function metric(admin: Address, name: string, match = ''): Promise<number> {
  const text = await (await fetch(url(admin, '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if ((line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(match)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Writes `bytes` on a new connection to `to` and collects the answer until the proxy closes (or `ms`). */
export function rawExchange(to: Address, bytes: Buffer, ms = 5000): Promise<Exchanged> {
  return exchange(net.connect(to.port, to.host), bytes, ms);
}

export interface Exchanged {
  answer: Buffer;
  closedByPeer: boolean;
  /**
   * The peer reset the connection (ECONNRESET, or EPIPE on our write). A peer that closes with
   * our bytes still unread resets, and a reset can lose what it had sent before, unread here.
   */
  resetByPeer: boolean;
  elapsedMs: number;
}

export function exchange(socket: Duplex, bytes: Buffer, ms = 5000): Promise<Exchanged> {
  const start = Date.now();
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    let settled = false;
    let resetByPeer = false;
    const done = (closedByPeer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer: Buffer.concat(got), closedByPeer, resetByPeer, elapsedMs: Date.now() - start });
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('data', (c: Buffer) => got.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      resetByPeer = err.code === 'ECONNRESET' || err.code === 'EPIPE';
      done(true);
    });
    socket.once('close', () => done(true));
    socket.once('end', () => done(true));
    socket.write(bytes, () => {});
  });
}

/** Waits (up to `ms`) for the process RSS to come back within `slackKb` of `baselineKb`; returns it. */
export async function settledRss(p: ProxyProcess, baselineKb: number, slackKb: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let rss = p.rssKb();
  while (rss > baselineKb + slackKb && Date.now() < until) {
    await sleep(500);
    rss = p.rssKb();
  }
  return rss;
}
