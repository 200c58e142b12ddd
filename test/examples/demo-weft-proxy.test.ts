// The demo behind weft's own proxy (`weft proxy` as a process) in the explicit-proxy mode the
// local runtime falls back to without root: web gets HTTP_PROXY pointing at the proxy's outbound
// listener and nothing else changes. Its catalog requests are then HTTP/1.1 through the proxy
// (and counted there); its gRPC channel to voting goes through a CONNECT tunnel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCatalogConfig, parseVotingConfig, parseWebConfig } from '../../examples/demo/config.js';
import { startCatalog } from '../../examples/demo/catalog.js';
import { startVoting } from '../../examples/demo/voting.js';
import { startWeb } from '../../examples/demo/web.js';
import { seededRng } from '../../examples/demo/rng.js';
import { eventually, http, memoryLogger } from './demo-helpers.js';

const WEFT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'weft.js');

/** A port free a moment ago (the proxy takes its listen addresses from the environment). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

test('web works unchanged behind weft proxy via HTTP_PROXY; the proxy sees its catalog requests', async (t) => {
  const loopback = { LISTEN_ADDR: '127.0.0.1:0' };
  const catalog = await startCatalog(parseCatalogConfig(loopback), memoryLogger('catalog').log);
  const voting = await startVoting(parseVotingConfig({ ...loopback, FAIL_RATE: '0.25' }), memoryLogger('voting').log, { rng: seededRng(3) });
  t.after(async () => {
    await Promise.all([catalog.close(), voting.close()]);
  });

  const [outbound, inbound, admin] = [await freePort(), await freePort(), await freePort()];
  let stderr = '';
  const proxy = spawn(process.execPath, [WEFT, 'proxy'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      WEFT_PROXY_OUTBOUND_LISTEN_ADDR: `127.0.0.1:${outbound}`,
      WEFT_PROXY_INBOUND_LISTEN_ADDR: `127.0.0.1:${inbound}`,
      WEFT_PROXY_ADMIN_LISTEN_ADDR: `127.0.0.1:${admin}`,
      WEFT_PROXY_LOG_LEVEL: 'warn',
    },
  });
  proxy.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise((resolve) => proxy.once('exit', resolve));
  t.after(async () => {
    proxy.kill('SIGTERM');
    await exited;
  });
  await eventually(async () => (await http(`http://127.0.0.1:${admin}/ready`).catch(() => ({ status: 0 }))).status === 200, 10_000, `proxy ready (${stderr})`);

  const web = await startWeb(parseWebConfig({
    ...loopback,
    CATALOG_ADDR: `127.0.0.1:${catalog.address.port}`,
    VOTING_ADDR: `127.0.0.1:${voting.address.port}`,
    HTTP_PROXY: `http://127.0.0.1:${outbound}`,
  }), memoryLogger('web').log);
  t.after(() => web.close());
  const url = `http://127.0.0.1:${web.address.port}`;

  assert.equal((await http(`${url}/api/items`)).status, 200);
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) statuses.push((await http(`${url}/api/vote/socks`, 'POST')).status);
  const failed = statuses.filter((s) => s === 500).length;
  assert.equal(statuses.filter((s) => s === 200).length + failed, 40, statuses.join(' '));
  assert.ok(failed >= 2 && failed <= 20, `failed ${failed} of 40`);
  const results = (await http(`${url}/api/results`)).json<{ results: { id: string; votes: number }[] }>().results;
  assert.equal(results.find((r) => r.id === 'socks')?.votes, 40 - failed);

  // The catalog requests went through the proxy: its metrics name the catalog's authority.
  const metrics = (await http(`http://127.0.0.1:${admin}/metrics`)).text;
  assert.match(metrics, new RegExp(`authority="127\\.0\\.0\\.1:${catalog.address.port}"`));
});
