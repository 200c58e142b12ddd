// The web component's HTTP surface without a browser: read-only, loopback by default, typed
// errors as JSON with a status (metrics API down, bad input, unknown page, no tap source), the
// page and its modules served from this server alone, and the health probes telling a process
// that answers from one that only holds its port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { checkHealth } from '../../src/web/health.js';
import { startWebServer } from '../../src/web/server.js';
import { parseTapFilter } from '../../src/web/tap-source.js';

/** A port that refuses connections (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A listener that accepts connections and then says nothing, like a stopped process's backlog. */
async function silentPort(t: { after(fn: () => Promise<void> | void): void }): Promise<number> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((c) => sockets.add(c));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (sockets.forEach((c) => c.destroy()), s.close(() => r()))));
  return (s.address() as net.AddressInfo).port;
}

test('web: read-only JSON API with typed errors, loopback by default, page and assets served locally', async (t) => {
  const api = await closedPort();
  const web = await startWebServer({ listen: { host: '127.0.0.1', port: 0 }, metricsApiAddr: `127.0.0.1:${api}`, health: { metricsApiAddr: `127.0.0.1:${api}` }, refreshMs: 1000 });
  t.after(() => web.close());
  assert.match(web.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const get = async (path: string, init?: RequestInit): Promise<{ status: number; body: string; type: string }> => {
    const r = await fetch(new URL(path, web.url), init);
    return { status: r.status, body: await r.text(), type: r.headers.get('content-type') ?? '' };
  };
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.body, /<script type="module" src="\/ui\/main\.js">/);
  assert.doesNotMatch(page.body, /https?:\/\//, 'the page loads nothing from elsewhere');
  for (const m of page.body.matchAll(/(?:src|href)="(\/[^"]+)"/g)) {
    const asset = await get(m[1] as string);
    assert.equal(asset.status, 200, m[1]);
  }
  const main = await get('/ui/main.js');
  assert.match(main.type, /text\/javascript/);
  assert.doesNotMatch(main.body, /from ['"](?!\.\/|\.\.\/)/, 'browser modules import only each other');
  assert.equal((await get('/ui/../server.js')).status, 404);

  // The metrics API is down: each view says so with its code.
  const ov = await get('/api/overview');
  assert.equal(ov.status, 503);
  assert.equal((JSON.parse(ov.body) as { error: { code: string } }).error.code, 'WEFT_ERR_METRICS_API_UNAVAILABLE');
  const health = JSON.parse((await get('/api/health')).body) as { components: { name: string; state: string }[] };
  assert.equal(health.components.find((c) => c.name === 'metrics-api')?.state, 'down');
  assert.equal(health.components.find((c) => c.name === 'identity')?.state, 'unknown');

  for (const method of ['POST', 'PUT', 'DELETE']) {
    const r = await get('/api/overview', { method });
    assert.equal(r.status, 405, method);
    assert.match(r.body, /WEFT_ERR_METHOD/);
  }
  const bad = await get('/api/workload?namespace=demo&name=Not_A_Name');
  assert.equal(bad.status, 400);
  assert.match(bad.body, /is not a Kubernetes name/);
  const tap = await get('/api/tap');
  assert.equal(tap.status, 501);
  assert.match(tap.body, /WEFT_ERR_TAP_UNAVAILABLE/);
  assert.equal((await get('/nope')).status, 404);

  // The SSE feed announces itself, then reports the problem instead of hanging.
  const ac = new AbortController();
  const res = await fetch(new URL('/api/events', web.url), { signal: ac.signal });
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!/event: problem/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
  ac.abort();
  assert.match(text, /event: info\ndata: \{"window":"1m","refreshMs":1000,"tap":false\}/);
  assert.match(text, /WEFT_ERR_METRICS_API_UNAVAILABLE/);
});

test('web: health tells a component that answers from one that only holds its port', async (t) => {
  const silent = await silentPort(t);
  const refused = await closedPort();
  const h = await checkHealth({ identityAddr: `127.0.0.1:${silent}`, destinationAddr: `127.0.0.1:${silent}`, prometheusUrl: `http://127.0.0.1:${refused}` }, 300);
  const by = Object.fromEntries(h.components.map((c) => [c.name, c]));
  assert.equal(by['identity']?.state, 'down');
  assert.match(by['identity']?.detail ?? '', /no TLS handshake within 300 ms/);
  assert.equal(by['destination']?.state, 'down');
  assert.match(by['destination']?.detail ?? '', /no HTTP\/2 PING answer/);
  assert.equal(by['prometheus']?.state, 'down');
  assert.match(by['prometheus']?.detail ?? '', /ECONNREFUSED/);
  assert.equal(by['metrics-api']?.state, 'unknown');
});

test('web: tap filters are checked, never silently dropped', () => {
  assert.deepEqual(parseTapFilter(new URLSearchParams('namespace=demo&resource=deploy/web&method=get&path=/api')), { namespace: 'demo', resource: 'deploy/web', method: 'GET', path: '/api' });
  assert.throws(() => parseTapFilter(new URLSearchParams('method=FETCH')), /unknown method "FETCH"/);
  assert.throws(() => parseTapFilter(new URLSearchParams('path=api')), /must start with \//);
  assert.throws(() => parseTapFilter(new URLSearchParams('resource=web')), /not type\/name/);
});
