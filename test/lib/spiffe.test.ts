// Identity names: both forms round-trip; invalid names are refused with a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDnsName, formatSpiffe, parseDnsName, parseIdentity, parseSpiffe, sameWorkload, workloadId } from '../../src/lib/spiffe.js';
import { errorCode } from '../../src/lib/errors.js';

test('SPIFFE URI and DNS-style name round-trip', () => {
  const id = workloadId('shop', 'web-1', 'example.org');
  assert.equal(formatSpiffe(id), 'spiffe://example.org/ns/shop/sa/web-1');
  assert.equal(formatDnsName(id), 'web-1.shop.serviceaccount.identity.weft.example.org');
  assert.ok(sameWorkload(parseSpiffe(formatSpiffe(id)), id));
  assert.ok(sameWorkload(parseDnsName(formatDnsName(id)), id));
  assert.ok(sameWorkload(parseIdentity(formatDnsName(id)), parseIdentity(formatSpiffe(id))));
  assert.equal(workloadId('a', 'b').trustDomain, 'cluster.local');
});

test('invalid identities are refused', () => {
  for (const bad of [
    'spiffe://cluster.local/ns/shop',
    'spiffe://cluster.local/ns/Shop/sa/web',
    'spiffe://cluster.local/ns/shop/sa/web/extra',
    'spiffe:///ns/a/sa/b',
    'web.shop.cluster.local',
    'x.web.shop.serviceaccount.identity.weft.cluster.local',
    'web.shop.serviceaccount.identity.weft.',
    '',
  ]) {
    assert.throws(() => parseIdentity(bad), (e) => errorCode(e) === 'WEFT_ERR_INVALID_IDENTITY', bad);
  }
  assert.throws(() => workloadId('ns_x', 'sa'), /DNS-1123/);
});
