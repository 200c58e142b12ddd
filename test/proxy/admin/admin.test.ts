// The admin listener, in-process and on a real `weft proxy` process (graceful /shutdown).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import http from 'node:http';
import { startTestProxy, url } from '../../helpers/proxy.js';
import { httpBackend } from '../../helpers/servers.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'weft.js');

test('/ready, /live, /env.json and /metrics answer', async (t) => {
  const p = await startTestProxy({ WEFT_PROXY_DETECT_TIMEOUT_MS: '1234' });
  t.after(() => p.close());
  assert.equal((await fetch(url(p.admin, '/ready'))).status, 200);
  assert.equal(await (await fetch(url(p.admin, '/live'))).text(), 'live\n');
  const env = (await (await fetch(url(p.admin, '/env.json'))).json()) as Record<string, string>;
  assert.equal(env.WEFT_PROXY_DETECT_TIMEOUT_MS, '1234');
  const m = await fetch(url(p.admin, '/metrics'));
  assert.match(m.headers.get('content-type') ?? '', /text\/plain/);
  assert.match(await m.text(), /# TYPE request_total counter/);
  assert.equal((await fetch(url(p.admin, '/nope'))).status, 404);
});

test('/proxy-log-level reads and sets the level, refusing bad values', async (t) => {
  const p = await startTestProxy();
  t.after(() => p.close());
  assert.equal(await (await fetch(url(p.admin, '/proxy-log-level'))).text(), 'error\n');
  const set = await fetch(url(p.admin, '/proxy-log-level'), { method: 'PUT', body: 'debug' });
  assert.equal(set.status, 200);
  assert.equal(p.log.level, 'debug');
  const bad = await fetch(url(p.admin, '/proxy-log-level'), { method: 'PUT', body: 'shouty' });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /invalid log level "shouty"/);
  assert.equal(p.log.level, 'debug');
  assert.equal((await fetch(url(p.admin, '/shutdown'))).status, 405);
});

test('POST /shutdown drains: the in-flight request finishes, then the process exits 0', async (t) => {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const app = await httpBackend((_req, res) => {
    res.writeHead(200);
    res.write('started;');
    void released.then(() => res.end('finished'));
  });
  t.after(() => app.close());

  const child = spawn(process.execPath, [bin, 'proxy'], {
    env: {
      ...process.env,
      WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
      WEFT_PROXY_OUTBOUND_DEFAULT_DST: `127.0.0.1:${app.addr.port}`,
      WEFT_PROXY_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let log = '';
  const ports = await new Promise<{ outbound: number; admin: number }>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      log += c.toString();
      const m = /outbound="127\.0\.0\.1:(\d+)".*admin="127\.0\.0\.1:(\d+)"/.exec(log);
      if (m) resolve({ outbound: Number(m[1]), admin: Number(m[2]) });
    });
    child.once('exit', () => reject(new Error(`proxy exited early: ${log}`)));
  });

  // An in-flight request, held open by the app.
  const body = new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: ports.outbound, path: '/slow' }, (res) => {
      let s = '';
      res.on('data', (c) => (s += c));
      res.on('end', () => resolve(s));
    }).on('error', reject);
  });
  await new Promise((r) => setTimeout(r, 200)); // let the request reach the app

  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const sd = await fetch(`http://127.0.0.1:${ports.admin}/shutdown`, { method: 'POST' });
  assert.equal(sd.status, 200);
  // New connections are refused while draining.
  await new Promise((r) => setTimeout(r, 100));
  const refused = await new Promise<boolean>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: ports.outbound, path: '/' }, () => resolve(false));
    req.on('error', () => resolve(true));
  });
  assert.ok(refused, 'listener still accepting after /shutdown');
  release();
  assert.equal(await body, 'started;finished');
  assert.equal(await exited, 0);
});
