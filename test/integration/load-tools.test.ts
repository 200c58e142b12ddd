// wrk (HTTP/1.1) and h2load (h2c) drive real load through a proxy pair for a short, bounded
// time. Correctness under load, not speed (speed is measured in bench/): every request must
// complete with 2xx, and the proxy must hold no connections afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../helpers/exec.js';
import { metricValue, startProxyPair, url } from '../helpers/proxy.js';
import { h2Backend, httpBackend } from '../helpers/servers.js';

async function settled(get: () => Promise<number>, want: number): Promise<number> {
  let v = await get();
  for (let i = 0; i < 100 && v !== want; i++) {
    await new Promise((r) => setTimeout(r, 50));
    v = await get();
  }
  return v;
}

test('wrk through the pair: no errors, no non-2xx, connections released', async (t) => {
  const app = await httpBackend((_q, s) => s.end('hello'));
  const pair = await startProxyPair(app.addr);
  t.after(async () => {
    await pair.close();
    await app.close();
  });
  const r = await run('wrk', ['-t1', '-c20', '-d2s', url(pair.entry, '/')], 30_000);
  assert.equal(r.code, 0, r.stderr);
  const reqs = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0);
  assert.ok(reqs > 100, r.stdout);
  assert.doesNotMatch(r.stdout, /Non-2xx|Socket errors/, r.stdout);
  // Every request wrk completed was counted (wrk may have a few in flight when it stops).
  const counted = await metricValue(pair.inbound, 'response_total', { status_code: '200' });
  assert.ok(counted >= reqs, `inbound counted ${counted} < wrk's ${reqs}`);
  assert.equal(await settled(() => metricValue(pair.outbound, 'tcp_open_connections', { direction: 'outbound' }), 0), 0);
});

test('h2load (h2c, multiplexed) through the pair: every request succeeds', async (t) => {
  const app = await h2Backend((s) => {
    s.respond({ ':status': 200 });
    s.end('hi');
  });
  const pair = await startProxyPair(app.addr);
  t.after(async () => {
    await pair.close();
    await app.close();
  });
  const r = await run('h2load', ['-n', '5000', '-c', '10', '-m', '10', url(pair.entry, '/')], 60_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /requests: 5000 total, 5000 started, 5000 done, 5000 succeeded, 0 failed, 0 errored/, r.stdout);
  assert.match(r.stdout, /status codes: 5000 2xx/);
});
