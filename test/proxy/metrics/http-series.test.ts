// The HTTP metrics layer remembers a connection's last series (metrics/http-observe.ts): on one
// keep-alive connection whose requests change authority, each request is still counted under
// its own authority, and its response under its own status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatAddress } from '../../../src/lib/address.js';
import { metricValue, startTestProxy } from '../../helpers/proxy.js';

test('requests on one keep-alive connection are counted under their own authority and status', async (t) => {
  const app = http.createServer((req, res) => {
    res.statusCode = req.headers.host === 'b.example' ? 404 : 200;
    res.end('x');
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  t.after(() => app.close());
  const proxy = await startTestProxy({ WEFT_PROXY_IDENTITY_DISABLED: '1', WEFT_PROXY_OUTBOUND_DEFAULT_DST: `127.0.0.1:${(app.address() as AddressInfo).port}` });
  t.after(() => proxy.close());

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const sockets = new Set<unknown>();
  for (const host of ['a.example', 'b.example', 'a.example', 'a.example', 'b.example']) {
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: proxy.outbound.host, port: proxy.outbound.port, path: '/', headers: { host }, agent }, (res) => {
        sockets.add(res.socket);
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
    });
  }
  assert.equal(sockets.size, 1, 'all five requests went over one connection');
  const target = formatAddress({ host: '127.0.0.1', port: (app.address() as AddressInfo).port });
  const count = (name: string, match: Record<string, string>): Promise<number> => metricValue(proxy, name, { direction: 'outbound', target_addr: target, ...match });
  // Responses are counted when the exchange closes, just after the client has its answer.
  for (let i = 0; i < 50 && (await count('response_total', {})) < 5; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(await count('request_total', { authority: 'a.example' }), 3);
  assert.equal(await count('request_total', { authority: 'b.example' }), 2);
  assert.equal(await count('response_total', { authority: 'a.example', status_code: '200' }), 3);
  assert.equal(await count('response_total', { authority: 'b.example', status_code: '404' }), 2);
  assert.equal(await count('response_total', { authority: 'b.example', status_code: '200' }), 0);
});
