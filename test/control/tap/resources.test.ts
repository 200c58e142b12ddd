// Naming the ends of tap events (what `viz tap` and `viz top` show as Source/Destination): in
// namespace mode by pod IP, in loopback mode by the pods' own 127.0.0.1 ports and, for the
// source of an inbound request (a client proxy's ephemeral port), by the verified client
// identity. The inventory is shaped as LocalInventory builds it for each mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InventorySnapshot } from '../../../src/control/metrics/inventory.js';
import type { TapEventJson } from '../../../src/control/tap/event-json.js';
import { withResources } from '../../../src/control/tap/resources.js';

const loopback: InventorySnapshot = {
  trustDomain: 'cluster.local',
  pods: [
    { name: 'web-0', namespace: 'demo', deployment: 'web', serviceAccount: 'web', meshed: true, addresses: [{ host: '127.0.0.1', port: 41001 }, { host: '127.0.0.1', port: 8080 }] },
    { name: 'catalog-0', namespace: 'demo', deployment: 'catalog', serviceAccount: 'catalog', meshed: true, addresses: [{ host: '127.0.0.1', port: 41002 }, { host: '127.0.0.1', port: 9090 }] },
    { name: 'catalog-1', namespace: 'demo', deployment: 'catalog', serviceAccount: 'catalog', meshed: true, addresses: [{ host: '127.0.0.1', port: 41003 }, { host: '127.0.0.1', port: 9091 }] },
    { name: 'bot-0', namespace: 'demo', deployment: 'bot', serviceAccount: 'shared', meshed: true, addresses: [] },
    { name: 'job-0', namespace: 'demo', deployment: 'job', serviceAccount: 'shared', meshed: true, addresses: [] },
  ],
  services: [{ namespace: 'demo', name: 'catalog', fqdn: 'catalog.demo.svc.cluster.local', clusterIP: '', ports: [9090], targetPorts: [9090], pods: ['catalog-0', 'catalog-1'], routes: [], hasProfile: false }],
};

function event(e: Partial<TapEventJson>): TapEventJson {
  return { pod: 'catalog-0', namespace: 'demo', type: 'requestInit', id: 'catalog-0/1:1', direction: 'inbound', source: '127.0.0.1:53712', destination: '127.0.0.1:9090', sourceLabels: {}, destinationLabels: {}, routeLabels: {}, tls: true, ...e };
}

test('loopback: an inbound request names its client by the verified identity, not the ephemeral port', () => {
  const e = withResources(loopback, event({ sourceLabels: { tls: 'true', client_id: 'spiffe://cluster.local/ns/demo/sa/web' } }), undefined);
  assert.equal(e.sourceResource, 'pod/web-0');
  assert.equal(e.destinationResource, 'pod/catalog-0');
});

test('loopback: a service account with several pods of one deployment names the deployment; of several, nobody', () => {
  const tapped = event({ pod: 'web-0', sourceLabels: { client_id: 'spiffe://cluster.local/ns/demo/sa/catalog' } });
  assert.equal(withResources(loopback, tapped, undefined).sourceResource, 'deploy/catalog');
  const shared = event({ sourceLabels: { client_id: 'spiffe://cluster.local/ns/demo/sa/shared' } });
  assert.equal(withResources(loopback, shared, undefined).sourceResource, undefined);
  // Another trust domain's identity, a malformed one, or plaintext: unnamed, the address stays.
  for (const id of ['spiffe://other.org/ns/demo/sa/web', 'not-an-id', '']) {
    assert.equal(withResources(loopback, event({ sourceLabels: { client_id: id } }), undefined).sourceResource, undefined, id);
  }
});

test('loopback: an outbound request to a pod port names that pod; to a name, its Service', () => {
  const out = event({ pod: 'web-0', direction: 'outbound', source: '127.0.0.1:50000', destination: '127.0.0.1:41003' });
  assert.equal(withResources(loopback, out, undefined).destinationResource, 'pod/catalog-1');
  assert.equal(withResources(loopback, out, undefined).sourceResource, 'pod/web-0');
  const named = event({ pod: 'web-0', direction: 'outbound', destination: '127.0.0.1:1' });
  assert.equal(withResources(loopback, named, 'catalog.demo.svc.cluster.local:9090').destinationResource, 'svc/catalog');
});

test('namespace mode: pods by IP on any port', () => {
  const netns: InventorySnapshot = { ...loopback, pods: [{ name: 'web-0', namespace: 'demo', deployment: 'web', serviceAccount: 'web', meshed: true, addresses: [{ host: '10.77.0.2' }] }] };
  assert.equal(withResources(netns, event({ source: '10.77.0.2:40111' }), undefined).sourceResource, 'pod/web-0');
});
