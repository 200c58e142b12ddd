// Local join tokens and the verifier registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JoinTokens, createTokenVerifier } from '../../../src/control/identity/tokens.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { errorCode } from '../../../src/lib/errors.js';

const web = workloadId('shop', 'web');

test('a join token proves its identity until it expires', async () => {
  let now = 1_000_000;
  const tokens = new JoinTokens(Buffer.alloc(32, 3), () => now);
  const tok = Buffer.from(tokens.issue(web, 10_000));
  assert.equal(formatSpiffe(await tokens.verify(tok)), formatSpiffe(web));
  now += 10_000;
  await assert.rejects(tokens.verify(tok), (e) => errorCode(e) === 'WEFT_ERR_TOKEN_INVALID');
});

test('tokens from another secret or altered payloads do not verify', async () => {
  const a = new JoinTokens(Buffer.alloc(32, 1));
  const b = new JoinTokens(Buffer.alloc(32, 2));
  await assert.rejects(b.verify(Buffer.from(a.issue(web))), /signature/);
  const [p, , m] = a.issue(web).split('.');
  const other = Buffer.from(JSON.stringify({ sub: 'spiffe://cluster.local/ns/shop/sa/admin', exp: 9e9 })).toString('base64url');
  await assert.rejects(a.verify(Buffer.from(`${p}.${other}.${m}`)), /signature/);
  for (const junk of ['', '.', 'weft1..', 'weft1.a.b.c', '\u0000']) {
    await assert.rejects(a.verify(Buffer.from(junk)), (e) => errorCode(e) === 'WEFT_ERR_TOKEN_INVALID');
  }
});

test('verifiers are created by kind; unknown kinds are refused', () => {
  assert.ok(createTokenVerifier('local', { secret: Buffer.alloc(32) }));
  assert.ok(createTokenVerifier('kubernetes', {}), 'the TokenReview verifier is registered (loaded on first use)');
  assert.throws(() => createTokenVerifier('oidc', {}), /no token verifier/);
});
