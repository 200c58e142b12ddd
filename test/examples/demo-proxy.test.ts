// The demo's explicit-proxy mode (the local runtime's fallback without root): with HTTP_PROXY
// set, web sends its catalog requests in absolute form to the proxy and tunnels its gRPC
// channel to voting through HTTP CONNECT, naming the services, not addresses.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseCatalogConfig, parseVotingConfig, parseWebConfig } from '../../examples/demo/config.js';
import { startCatalog } from '../../examples/demo/catalog.js';
import { startVoting } from '../../examples/demo/voting.js';
import { startWeb } from '../../examples/demo/web.js';
import type { Running } from '../../examples/demo/serve.js';
import { http, memoryLogger, spawnComponent, startRecordingProxy } from './demo-helpers.js';
import type { RecordingProxy } from './demo-helpers.js';

const loopback = { LISTEN_ADDR: '127.0.0.1:0' };
const catalog = await startCatalog(parseCatalogConfig(loopback), memoryLogger('catalog').log);
const voting = await startVoting(parseVotingConfig({ ...loopback, FAIL_RATE: '0' }), memoryLogger('voting').log);
const names = { 'catalog.demo:7081': catalog.address.port, 'voting.demo:7082': voting.address.port };
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
  await Promise.all([catalog.close(), voting.close()]);
});

async function proxied(env: Record<string, string>): Promise<{ proxy: RecordingProxy; web: Running; url: string }> {
  const proxy = await startRecordingProxy(names);
  closers.push(() => proxy.close());
  const web = await startWeb(parseWebConfig({
    ...loopback,
    CATALOG_ADDR: 'http://catalog.demo:7081',
    VOTING_ADDR: 'voting.demo:7082',
    ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('$PROXY', proxy.url)])),
  }), memoryLogger('web').log);
  closers.push(() => web.close());
  return { proxy, web, url: `http://127.0.0.1:${web.address.port}` };
}

test('HTTP_PROXY: catalog requests go to the proxy in absolute form, gRPC through CONNECT', async () => {
  const { proxy, url } = await proxied({ HTTP_PROXY: '$PROXY' });
  const r = await http(`${url}/api/vote/thread`, 'POST');
  assert.equal(r.status, 200, r.text);
  assert.equal((await http(`${url}/api/vote/thread`, 'POST')).status, 200);
  assert.deepEqual(proxy.seen, [
    'GET http://catalog.demo:7081/items/thread',
    // One tunnel carries both votes: the gRPC channel is HTTP/2 over the CONNECT stream.
    'CONNECT voting.demo:7082',
    'GET http://catalog.demo:7081/items/thread',
  ]);
});

test('lower-case http_proxy works too, and grpc_proxy takes precedence for gRPC', async () => {
  const other = await startRecordingProxy(names);
  closers.push(() => other.close());
  const { proxy, url } = await proxied({ http_proxy: '$PROXY', grpc_proxy: other.url });
  assert.equal((await http(`${url}/api/vote/needle`, 'POST')).status, 200);
  assert.deepEqual(proxy.seen, ['GET http://catalog.demo:7081/items/needle']);
  assert.deepEqual(other.seen, ['CONNECT voting.demo:7082']);
});

test('NO_PROXY names skip the proxy', async () => {
  const { proxy, url } = await proxied({
    HTTP_PROXY: '$PROXY',
    NO_PROXY: 'localhost,127.0.0.1',
    CATALOG_ADDR: `127.0.0.1:${catalog.address.port}`,
  });
  assert.equal((await http(`${url}/api/items/needle`)).status, 200);
  assert.deepEqual(proxy.seen, []);
});

test('the vote-bot, as a process, sends its requests through HTTP_PROXY', async (t) => {
  const web = await startWeb(parseWebConfig({
    ...loopback, CATALOG_ADDR: `127.0.0.1:${catalog.address.port}`, VOTING_ADDR: `127.0.0.1:${voting.address.port}`,
  }), memoryLogger('web').log);
  closers.push(() => web.close());
  const proxy = await startRecordingProxy({ 'web.demo:7080': web.address.port });
  closers.push(() => proxy.close());
  const bot = spawnComponent('vote-bot', { WEB_ADDR: 'web.demo:7080', HTTP_PROXY: proxy.url, RATE: '50' });
  t.after(() => bot.proc.kill('SIGKILL'));
  const deadline = Date.now() + 5000;
  while (!proxy.seen.some((l) => l.startsWith('POST http://web.demo:7080/api/vote/')) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  bot.proc.kill('SIGTERM');
  assert.equal(await bot.exited, 0);
  assert.equal(proxy.seen[0], 'GET http://web.demo:7080/api/items');
  assert.ok(proxy.seen.some((l) => /^POST http:\/\/web\.demo:7080\/api\/vote\/[a-z]+$/.test(l)), proxy.seen.join('\n'));
});
