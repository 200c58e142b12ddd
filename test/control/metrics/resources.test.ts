import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InventorySnapshot } from '../../../src/control/metrics/inventory.js';
import { addressRegex, matches, serviceAddresses } from '../../../src/control/metrics/inventory.js';
import { parseResource, resolve, rowsOf } from '../../../src/control/metrics/resources.js';
import { rowAddresses, sourceMatchers } from '../../../src/control/metrics/targets.js';

const pod = (name: string, deployment: string, ip: string, ns = 'demo') => ({ name, namespace: ns, deployment, serviceAccount: deployment, meshed: name !== 'db', addresses: [{ host: ip }] });
const inv: InventorySnapshot = {
  trustDomain: 'cluster.local',
  pods: [pod('web', 'web', '10.77.0.2'), pod('api-0', 'api', '10.77.0.3'), pod('api-1', 'api', '10.77.0.4'), pod('db', 'db', '10.77.0.5', 'data')],
  services: [
    { namespace: 'demo', name: 'api', fqdn: 'api.demo.svc.cluster.local', clusterIP: '10.77.128.1', ports: [80], targetPorts: [8080], pods: ['api-0', 'api-1'], routes: ['GET /x'], hasProfile: true },
    { namespace: 'demo', name: 'both', fqdn: 'both.demo.svc.cluster.local', clusterIP: '10.77.128.2', ports: [81], targetPorts: [8081], pods: ['api-0', 'web'], routes: [], hasProfile: false },
  ],
};

test('resource arguments: types with their aliases, names after a slash or apart', () => {
  assert.deepEqual(parseResource('deploy'), { type: 'deploy', name: undefined });
  assert.deepEqual(parseResource('deployments/web'), { type: 'deploy', name: 'web' });
  assert.deepEqual(parseResource('po', 'web-0'), { type: 'pod', name: 'web-0' });
  assert.deepEqual(parseResource('svc/api'), { type: 'svc', name: 'api' });
  assert.deepEqual(parseResource('namespace'), { type: 'ns', name: undefined });
  assert.throws(() => parseResource('jobs/x'), { code: 'WEFT_ERR_UNKNOWN_RESOURCE', message: /unknown resource type "jobs" \(use one of: deploy \(deployment\), pod \(pod\), ns \(namespace\), svc \(service\)\)/ });
  assert.throws(() => parseResource('svc', undefined, ['deploy', 'pod']), /unknown resource type "svc"/);
});

test('an unknown name is an error that names the ones that exist', () => {
  assert.throws(() => resolve(inv, parseResource('deploy/nope'), 'demo'), { code: 'WEFT_ERR_UNKNOWN_RESOURCE', message: 'no deployment "nope" in namespace demo (have: api, web)' });
  assert.throws(() => resolve(inv, parseResource('svc/nope')), { message: 'no service "nope" (have: demo/api, demo/both)' });
  assert.throws(() => resolve(inv, parseResource('ns/nope')), { message: 'no namespace "nope" (have: data, demo)' });
});

test('rows: deployments with their pods and meshed counts; services with the pods behind them', () => {
  assert.deepEqual(rowsOf(inv, 'deploy').map((r) => [r.namespace, r.name, r.pods.length]), [['data', 'db', 1], ['demo', 'api', 2], ['demo', 'web', 1]]);
  assert.deepEqual(rowsOf(inv, 'ns').map((r) => [r.name, r.pods.filter((p) => p.meshed).length, r.pods.length]), [['data', 0, 1], ['demo', 3, 3]]);
  assert.deepEqual(resolve(inv, parseResource('svc/api')).map((r) => r.pods.map((p) => p.name)), [['api-0', 'api-1']]);
});

test("destinations: a pod's IP on any port; a cluster IP belongs to a Deployment only when all its pods are", () => {
  const api = resolve(inv, parseResource('deploy/api'))[0];
  const web = resolve(inv, parseResource('deploy/web'))[0];
  assert.ok(api && web);
  const apiAddrs = rowAddresses(inv, api);
  assert.ok(apiAddrs.some((p) => matches('10.77.128.1:80', p)), 'svc api leads only to deploy api');
  assert.ok(!apiAddrs.some((p) => matches('10.77.128.2:81', p)), 'svc both is shared');
  assert.ok(apiAddrs.some((p) => matches('10.77.0.4:9999', p)));
  assert.ok(!rowAddresses(inv, web).some((p) => matches('10.77.128.2:81', p)));
  const svcAddrs = serviceAddresses(inv.services[0] as InventorySnapshot['services'][number], inv.pods);
  assert.deepEqual(svcAddrs, [{ host: '10.77.128.1', port: 80 }, { host: '10.77.0.3', port: 8080 }, { host: '10.77.0.4', port: 8080 }]);
  assert.equal(addressRegex(svcAddrs), '10\\.77\\.128\\.1:80|10\\.77\\.0\\.3:8080|10\\.77\\.0\\.4:8080');
  assert.equal(addressRegex([{ host: '10.77.0.2' }]), '10\\.77\\.0\\.2:[0-9]+');
  assert.deepEqual(sourceMatchers(api), { namespace: 'demo', deployment: 'api' });
});
