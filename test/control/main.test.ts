import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '../../src/control/main.js';

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

test('the control plane creates its CA on first start, reuses it after, and serves identity and destination', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-control-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const opts = {
    storeDir: join(dir, 'state'),
    identityDir: join(dir, 'identity'),
    listenIdentity: { host: '127.0.0.1', port: 0 },
    listenDestination: { host: '127.0.0.1', port: 0 },
  };
  const first = await startControlPlane(opts);
  const anchor = await readFile(join(dir, 'identity', 'trust-anchor.crt'), 'utf8');
  assert.equal(first.trustAnchorPem.trim(), anchor.trim());
  assert.ok(await connects(first.identityPort));
  assert.ok(await connects(first.destinationPort));
  await first.close();
  const second = await startControlPlane(opts);
  t.after(() => second.close());
  assert.equal(second.trustAnchorPem, first.trustAnchorPem, 'same trust anchor after a restart');
});
