// The CA directory: init writes keys 0600, load refuses readable keys and mismatched files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, copyFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CA_FILES, initCaDirectory, loadCaDirectory } from '../../../src/control/identity/store.js';
import { startIdentityService } from '../../../src/control/identity/service.js';
import { errorCode } from '../../../src/lib/errors.js';
import { tempDir } from './helpers.js';

test('init writes the anchor, issuer and secret with private keys at mode 0600', async (t) => {
  const dir = await tempDir(t);
  await initCaDirectory({ dir, trustDomain: 'example.org' });
  for (const f of [CA_FILES.anchorKey, CA_FILES.issuerKey, CA_FILES.joinSecret]) {
    assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f);
  }
  const m = await loadCaDirectory(dir);
  assert.equal(m.trustDomain, 'example.org');
  assert.ok(m.anchor && m.issuer);
  assert.ok(m.anchorCert.notAfter.getTime() - Date.now() > 364 * 24 * 3600_000);
  await assert.rejects(initCaDirectory({ dir }), (err) => errorCode(err) === 'WEFT_ERR_CA_DIRECTORY');
});

test('a group- or world-readable key is refused at start with a clear error', async (t) => {
  const dir = await tempDir(t);
  await initCaDirectory({ dir });
  await chmod(join(dir, CA_FILES.issuerKey), 0o640);
  await assert.rejects(startIdentityService({ dir, listen: { host: '127.0.0.1', port: 0 } }), (err: Error) => {
    assert.equal(errorCode(err), 'WEFT_ERR_KEY_PERMISSIONS');
    assert.match(err.message, /issuer\.key has mode 0640.*chmod 600/);
    return true;
  });
});

test('bring your own: an anchor and issuer without the anchor key are served as is', async (t) => {
  const src = await tempDir(t);
  const dir = await tempDir(t);
  await initCaDirectory({ dir: src });
  for (const f of [CA_FILES.anchorCert, CA_FILES.issuerCert, CA_FILES.issuerKey]) await copyFile(join(src, f), join(dir, f));
  await chmod(join(dir, CA_FILES.issuerKey), 0o600);
  const m = await loadCaDirectory(dir);
  assert.equal(m.anchor, undefined);
  assert.ok(m.issuer);
  assert.equal(m.joinSecret.length, 32); // made on first load
});

test('an issuer not signed by the anchor is refused', async (t) => {
  const a = await tempDir(t);
  const b = await tempDir(t);
  await initCaDirectory({ dir: a });
  await initCaDirectory({ dir: b });
  await copyFile(join(a, CA_FILES.issuerCert), join(b, CA_FILES.issuerCert));
  await copyFile(join(a, CA_FILES.issuerKey), join(b, CA_FILES.issuerKey));
  await assert.rejects(loadCaDirectory(b), /not signed by/);
  await rm(join(b, CA_FILES.anchorCert));
  await assert.rejects(loadCaDirectory(b), /not found/);
});
