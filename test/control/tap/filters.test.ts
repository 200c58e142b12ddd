// The tap component's filters become matches the proxy's own compiler accepts and evaluates as
// intended: --to by pod address, Service cluster IP or authority; method, path, authority; bad
// values refused with ConfigError / UnknownResourceError.
import { test } from 'node:test';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, protoDir } from '../../../src/api/load.js';
import type { ObserveRequest, ObserveRequest__Output } from '../../../src/api/gen/io/linkerd/proxy/tap/ObserveRequest.js';
import assert from 'node:assert/strict';
import type { InventorySnapshot } from '../../../src/control/metrics/inventory.js';
import { parseResource } from '../../../src/control/metrics/resources.js';
import { observeMatch } from '../../../src/control/tap/filters.js';
import { ConfigError, WeftError } from '../../../src/lib/errors.js';
import { compileMatch, type TapRequestInfo } from '../../../src/proxy/tap/match.js';

const inv: InventorySnapshot = {
  trustDomain: 'cluster.local',
  pods: [
    { name: 'web-0', namespace: 'demo', deployment: 'web', serviceAccount: 'web', meshed: true, addresses: [{ host: '10.77.1.4' }] },
    { name: 'catalog-0', namespace: 'demo', deployment: 'catalog', serviceAccount: 'catalog', meshed: true, addresses: [{ host: '10.77.1.2' }] },
  ],
  services: [{ namespace: 'demo', name: 'catalog', fqdn: 'catalog.demo.svc.cluster.local', clusterIP: '10.77.239.2', ports: [7081], targetPorts: [7081], pods: ['catalog-0'], routes: [], hasProfile: false }],
};

const req = (o: Partial<TapRequestInfo>): TapRequestInfo => ({
  direction: 'outbound', source: { host: '10.77.1.4', port: 5000 }, destination: { host: '10.77.239.2', port: 7081 },
  sourceLabels: {}, destinationLabels: {}, routeLabels: {}, method: 'GET', scheme: 'http', authority: 'catalog.demo:7081', path: '/items/1', ...o,
});

/** The filters' match as the proxy compiles it: serialized and decoded as the Observe call does. */
function compiled(m: ObserveRequest['match']): (r: TapRequestInfo) => boolean {
  const def = protoLoader.loadSync(join(protoDir(), 'tap.proto'), { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
  const observe = (def['io.linkerd.proxy.tap.Tap'] as protoLoader.ServiceDefinition)['Observe'] as protoLoader.MethodDefinition<ObserveRequest, unknown, ObserveRequest__Output>;
  const decoded = observe.requestDeserialize(observe.requestSerialize({ limit: 1, ...(m ? { match: m } : {}) }));
  return compileMatch(decoded.match);
}

test('--to svc: its cluster IP and port, or an authority naming it', () => {
  const m = compiled(observeMatch({ to: parseResource('svc/catalog') }, inv, 'demo'));
  assert.equal(m(req({})), true);
  assert.equal(m(req({ destination: { host: '10.77.239.2', port: 9999 }, authority: 'other' })), false);
  assert.equal(m(req({ destination: undefined, authority: 'catalog:7081' })), true, 'loopback: by authority');
  assert.equal(m(req({ destination: { host: '10.77.1.9', port: 80 }, authority: 'web.demo' })), false);
});

test('--to deploy: its pods by address; method, path and authority filters', () => {
  const m = compiled(observeMatch({ to: parseResource('deploy/catalog'), method: 'get', path: '/items' }, inv, 'demo'));
  assert.equal(m(req({ destination: { host: '10.77.1.2', port: 7081 }, authority: 'x' })), true);
  assert.equal(m(req({ method: 'POST' })), false);
  assert.equal(m(req({ path: '/other' })), false);
  const a = compiled(observeMatch({ authority: 'catalog.demo:7081' }, inv, 'demo'));
  assert.equal(a(req({})), true);
  assert.equal(observeMatch({}, inv, 'demo'), undefined, 'no filter: every request');
});

test('bad filters are refused', () => {
  assert.throws(() => observeMatch({ path: 'items' }, inv, 'demo'), (e: unknown) => e instanceof ConfigError && /starts with \//.test(e.message));
  assert.throws(() => observeMatch({ to: parseResource('svc/nope') }, inv, 'demo'), (e: unknown) => e instanceof WeftError && /have: catalog/.test(e.message));
});
