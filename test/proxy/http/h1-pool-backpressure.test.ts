// A pooled upstream HTTP/1 connection whose last response chunk met the client's backpressure
// (the client's socket was full, so the exchange paused the upstream socket) must go back to
// the pool readable. Before the fix it went back paused: the next request on it waited for a
// 'drain' of the previous client that never came (a client that left never drains), so under
// load some requests through the meshed pair's pooled HTTP/1 hung until the client gave up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H1Pool } from '../../../src/proxy/http/h1/pool.js';
import type { ExchangeHandlers } from '../../../src/proxy/http/h1/upstream.js';
import { tcpBackend } from '../../helpers/servers.js';

test('a connection released after backpressure on its last chunk serves the next exchange', async (t) => {
  let served = 0;
  const b = await tcpBackend((s) => {
    s.on('data', () => {
      served++;
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n${String(served).padStart(2, '0')}`);
    });
  });
  t.after(() => b.close());
  const pool = new H1Pool({ connectTimeoutMs: 1000, idleTimeoutMs: 30_000, maxIdlePerEndpoint: 4 });
  t.after(() => pool.close());

  /** One GET; `full` makes every body chunk report a full client (returns false, never drains). */
  const get = async (full: boolean): Promise<string> => {
    const conn = await pool.acquire(b.addr);
    return new Promise((resolve, reject) => {
      let body = '';
      const handlers: ExchangeHandlers = {
        informational: () => {},
        response: () => 'payload',
        body: (c) => ((body += c.toString()), !full),
        end: () => resolve(body),
        error: (err) => reject(err),
      };
      conn.start('GET', `GET / HTTP/1.1\r\nhost: b\r\n\r\n`, { kind: 'none' }, handlers);
    });
  };

  assert.equal(await get(true), '01');
  assert.equal(pool.idleCount, 1, 'the connection went back to the pool');
  const next = await Promise.race([get(false), new Promise<string>((r) => setTimeout(() => r('hung: the pooled connection came back paused'), 2000))]);
  assert.equal(next, '02');
  assert.equal(served, 2, 'both requests on one connection');
});
