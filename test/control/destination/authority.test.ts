import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceFromContextToken, parseTarget } from '../../../src/control/destination/authority.js';

const opts = { clusterDomain: 'cluster.local', defaultNamespace: 'default' };

test('authorities_parse_to_services_or_addresses', () => {
  assert.deepEqual(parseTarget('web.shop.svc.cluster.local:8080', opts), { kind: 'service', name: 'web', namespace: 'shop', port: 8080 });
  assert.deepEqual(parseTarget('web.shop.svc.cluster.local.:80', opts), { kind: 'service', name: 'web', namespace: 'shop', port: 80 });
  assert.deepEqual(parseTarget('web.shop.svc', opts), { kind: 'service', name: 'web', namespace: 'shop', port: 80 });
  assert.deepEqual(parseTarget('web.shop:81', opts), { kind: 'service', name: 'web', namespace: 'shop', port: 81 });
  assert.deepEqual(parseTarget('web:81', opts), { kind: 'service', name: 'web', namespace: 'default', port: 81 });
  assert.deepEqual(parseTarget('web:81', opts, 'ns2'), { kind: 'service', name: 'web', namespace: 'ns2', port: 81 });
  assert.deepEqual(parseTarget('10.0.0.1:9', opts), { kind: 'ip', ip: '10.0.0.1', port: 9 });
  assert.deepEqual(parseTarget('[fd00::1]:9', opts), { kind: 'ip', ip: 'fd00::1', port: 9 });
  assert.equal(parseTarget('web.shop.svc.other.domain:80', opts), undefined);
  assert.equal(parseTarget('example.com:80', opts)?.kind, 'service'); // <svc>.<ns>: looked up, then unknown
  assert.equal(parseTarget('a.b.c:80', opts), undefined);
  assert.equal(parseTarget('web:0', opts), undefined);
  assert.equal(parseTarget('we b:80', opts), undefined);
  assert.equal(namespaceFromContextToken('{"ns":"shop"}'), 'shop');
  assert.equal(namespaceFromContextToken('garbage'), undefined);
});
