// Proxy memory per idle keep-alive connection: a `weft proxy` process (outbound, plaintext,
// static destination: a node:http app in this process), N HTTP/1 connections that each made one
// request and stay open; RSS before and after, in KB per connection.
//
//   node dist/bench/idle-conns.js [--connections 10000]
import http from 'node:http';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROXY_NODE_FLAGS } from '../src/proxy/node-flags.js';
import { openIdleConnections } from './idle-open.js';
import { freePort, installCleanup, killAllNow, rssMb, startProcess, stopProcess, tcpOpen, waitUntil } from './procs.js';

const weftBin = join(import.meta.dirname, '..', '..', 'bin', 'weft.js');

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const n = flag('--connections', 10_000);
  installCleanup(killAllNow);
  const app = http.createServer((_q, s) => s.end('ok'));
  app.keepAliveTimeout = 600_000;
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const appPort = (app.address() as { port: number }).port;
  const [outbound, inbound, admin] = [await freePort(), await freePort(), await freePort()];
  const proxy = startProcess('weft-proxy', process.execPath, [...PROXY_NODE_FLAGS, weftBin, 'proxy'], {
    logPath: join(mkdtempSync(join(tmpdir(), 'weft-idle-')), 'proxy.log'),
    env: {
      PATH: process.env.PATH,
      WEFT_PROXY_OUTBOUND_LISTEN_ADDR: `127.0.0.1:${outbound}`,
      WEFT_PROXY_INBOUND_LISTEN_ADDR: `127.0.0.1:${inbound}`,
      WEFT_PROXY_ADMIN_LISTEN_ADDR: `127.0.0.1:${admin}`,
      WEFT_PROXY_IDENTITY_DISABLED: '1',
      WEFT_PROXY_OUTBOUND_DEFAULT_DST: `127.0.0.1:${appPort}`,
      WEFT_PROXY_LOG_LEVEL: 'warn',
    },
  });
  await waitUntil('proxy listening', () => tcpOpen(outbound), 10_000, proxy);
  const to = { host: '127.0.0.1', port: outbound };
  const warm = await openIdleConnections(to, `127.0.0.1:${appPort}`, 50);
  warm.close();
  await new Promise((r) => setTimeout(r, 1000));
  const before = rssMb([proxy.pid]);
  const start = Date.now();
  const idle = await openIdleConnections(to, `127.0.0.1:${appPort}`, n);
  const openedMs = Date.now() - start;
  await new Promise((r) => setTimeout(r, 2000));
  const after = rssMb([proxy.pid]);
  const fds = readdirSync(`/proc/${proxy.pid}/fd`).length;
  const kb = ((after - before) * 1024) / n;
  console.log(`| idle keep-alive connections | proxy RSS before / after MB | KB per connection | proxy fds | opened in s |`);
  console.log(`| --- | --- | --- | --- | --- |`);
  console.log(`| ${n} | ${before.toFixed(1)} / ${after.toFixed(1)} | ${kb.toFixed(1)} | ${fds} | ${(openedMs / 1000).toFixed(1)} |`);
  idle.close();
  await stopProcess(proxy);
  app.closeAllConnections();
  app.close();
}

main().catch((e: unknown) => {
  console.error(e);
  killAllNow();
  process.exit(1);
});
