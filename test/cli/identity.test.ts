// `weft identity` as real processes: init writes the CA, serve certifies a proxy that uses a
// token from `weft identity token`, show reads a proxy admin's /identity.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { stat, readFile, chmod } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { IdentityClient } from '../../src/proxy/identity/client.js';
import { workloadId } from '../../src/lib/spiffe.js';
import { tempDir } from '../control/identity/helpers.js';

const run = promisify(execFile);
const weft = join(process.cwd(), 'bin', 'weft.js');

test('init, token, serve: a proxy is certified by the CLI-run CA', async (t) => {
  const dir = await tempDir(t);
  await run(process.execPath, [weft, 'identity', 'init', '--dir', dir, '--trust-domain', 'example.org']);
  assert.equal((await stat(join(dir, 'issuer.key'))).mode & 0o777, 0o600);
  const id = workloadId('shop', 'web', 'example.org');
  const { stdout: token } = await run(process.execPath, [weft, 'identity', 'token', '--dir', dir, '--identity', 'spiffe://example.org/ns/shop/sa/web']);

  const proc = spawn(process.execPath, [weft, 'identity', 'serve', '--dir', dir, '--listen', '127.0.0.1:0', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    proc.kill('SIGTERM');
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (b) => (out += String(b)));
  proc.stderr.on('data', (b) => (err += String(b)));
  while (!/listening on port (\d+)/.test(out)) {
    if (proc.exitCode !== null) assert.fail(`serve exited ${proc.exitCode}: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const port = Number(/listening on port (\d+)/.exec(out)?.[1]);
  const c = new IdentityClient({
    identity: id,
    token: () => Buffer.from(token.trim()),
    trustAnchorsPem: await readFile(join(dir, 'trust-anchor.crt'), 'utf8'),
    address: `127.0.0.1:${port}`,
  });
  t.after(() => c.close());
  c.start();
  await c.ready;
  assert.equal(c.identitySnapshot()?.identity, 'spiffe://example.org/ns/shop/sa/web');
  proc.kill('SIGTERM');
  const [code] = await once(proc, 'exit');
  assert.equal(code, 0);
});

test('serve refuses a world-readable key with a clear message', async (t) => {
  const dir = await tempDir(t);
  await run(process.execPath, [weft, 'identity', 'init', '--dir', dir]);
  await chmod(join(dir, 'trust-anchor.key'), 0o644);
  await assert.rejects(run(process.execPath, [weft, 'identity', 'serve', '--dir', dir, '--listen', '127.0.0.1:0']), (err: Error & { stderr: string }) => {
    assert.match(err.stderr, /trust-anchor\.key has mode 0644/);
    return true;
  });
});

test('show prints the identity and expiry served by a proxy admin', async (t) => {
  const notAfter = new Date(Date.now() + 3600_000).toISOString();
  const admin = createServer((req, res) => {
    if (req.url === '/identity.json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ identity: 'spiffe://cluster.local/ns/shop/sa/web', notAfter, serialNumber: 'abc123', pem: '' }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => admin.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => admin.close(() => r())));
  const { port } = admin.address() as AddressInfo;
  const { stdout } = await run(process.execPath, [weft, 'identity', 'show', '--admin', `127.0.0.1:${port}`]);
  assert.match(stdout, /identity: +spiffe:\/\/cluster\.local\/ns\/shop\/sa\/web/);
  assert.match(stdout, new RegExp(`notAfter: +${notAfter.replace(/\./g, '\\.')} \\(expires in (59|60)m\\)`));
  assert.match(stdout, /serial: +abc123/);
});
