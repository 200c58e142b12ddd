import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMeshFile } from '../../../src/runtime/local/mesh-file.js';
import {
  clusterIpOf, endpointSlices, hostsFile, lowestFree, networkNames, placePod, planPods, planServices, podsOf, renderServiceRules, servicesWithClusterIps,
} from '../../../src/runtime/local/plan.js';
import type { EndpointAddress } from '../../../src/runtime/local/plan.js';
import { loopbackAppEnv, serviceForHost } from '../../../src/runtime/local/loopback.js';
import { proxyEnv } from '../../../src/runtime/local/proxy-env.js';

const deploy = (name: string, port: number, ns = 'shop'): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns} }
spec:
  template:
    metadata: { labels: { app: ${name.replace(/-[0-9]$/, '')} } }
    spec:
      containers:
        - name: main
          command: [srv]
          env: [{ name: UP, value: "http://api.shop:80/x" }, { name: OTHER, value: "example.com:80" }]
          ports: [{ name: http, containerPort: ${port} }]
`;
const svc = (name: string, app: string, port: number, target: string | number): string => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec:
  selector: { app: ${app} }
  ports: [{ name: http, port: ${port}, targetPort: ${JSON.stringify(target)} }]
`;
const mesh = parseMeshFile([deploy('api-1', 8080), deploy('api-2', 8080), deploy('web', 3000), svc('api', 'api', 80, 'http'), svc('none', 'nothing', 81, 81)].join('---\n'), 'm.yaml');
const net = networkNames(3);
const pods = planPods(mesh, net);
const podIp: EndpointAddress = (pod, port) => ({ ip: pods.find((p) => p.name === pod.name)?.ip ?? '', port });

test('pods get short prefixed names and consecutive addresses on the network', () => {
  assert.deepEqual(net, { index: 3, bridge: 'weft3', gateway: '10.77.3.1', prefixLength: 24, netnsPrefix: 'weft3p', vethPrefix: 'weft3v' });
  assert.deepEqual(pods.map((p) => [p.netns, p.hostIf, p.ip]), [['weft3p0', 'weft3v0', '10.77.3.2'], ['weft3p1', 'weft3v1', '10.77.3.3'], ['weft3p2', 'weft3v2', '10.77.3.4']]);
  assert.throws(() => networkNames(128), /network index/);
});

test('services get cluster IPs in 10.77.128.0/17 and endpoints through named target ports', () => {
  const plans = planServices(mesh, net, podIp);
  assert.deepEqual(plans, [
    { namespace: 'shop', name: 'api', clusterIP: '10.77.131.1', ports: [{ port: 80, endpoints: [{ ip: '10.77.3.2', port: 8080, pod: 'api-1' }, { ip: '10.77.3.3', port: 8080, pod: 'api-2' }] }] },
    { namespace: 'shop', name: 'none', clusterIP: '10.77.131.2', ports: [{ port: 81, endpoints: [] }] },
  ]);
  assert.equal(servicesWithClusterIps(mesh.services.map((spec, j) => ({ spec, clusterIP: plans[j]?.clusterIP ?? '' })))[0]?.spec.clusterIP, '10.77.131.1');
  const slices = endpointSlices(mesh.services, podsOf(mesh.workloads), podIp);
  assert.deepEqual(slices.map((s) => [s.metadata.name, s.metadata.labels['kubernetes.io/service-name'], s.endpoints[0]?.addresses, s.ports]), [
    ['api-api-1', 'api', ['10.77.3.2'], [{ name: 'http', port: 8080, protocol: 'TCP' }]],
    ['api-api-2', 'api', ['10.77.3.3'], [{ name: 'http', port: 8080, protocol: 'TCP' }]],
  ]);
  assert.equal(slices[0]?.endpoints[0]?.targetRef?.serviceAccountName, 'default');
  // In a namespace the proxy has the default inbound port; discovery sends 4143 for it.
  assert.equal(slices[0]?.endpoints[0]?.targetRef?.proxyInboundPort, undefined);
});

test("in loopback mode a slice's targetRef names the workload proxy's inbound port (for opaque_transport)", () => {
  const loopback: EndpointAddress = (_w, _port) => ({ ip: '127.0.0.1', port: 41000, proxyInboundPort: 41000 });
  const slices = endpointSlices(mesh.services, podsOf(mesh.workloads), loopback);
  assert.equal(slices[0]?.endpoints[0]?.targetRef?.proxyInboundPort, 41000);
  assert.deepEqual(planServices(mesh, undefined, loopback)[0]?.ports[0]?.endpoints[0], { ip: '127.0.0.1', port: 41000, pod: 'api-1' });
});

test("a pod's hosts file names every service; short names only in its own namespace", () => {
  const plans = planServices(mesh, net, podIp);
  const h = hostsFile(pods[2] as (typeof pods)[number], plans);
  assert.match(h, /^10\.77\.131\.1\tapi\.shop\.svc\.cluster\.local api\.shop\.svc api\.shop api$/m);
  assert.match(h, /^10\.77\.3\.4\tweb$/m);
  assert.match(h, /^127\.0\.0\.1\tlocalhost$/m);
});

test('service rules DNAT a cluster IP to its endpoints at random, and refuse one without endpoints', () => {
  const rules = renderServiceRules(planServices(mesh, net, podIp));
  assert.equal(rules, [
    '*nat',
    ':WEFT_SERVICES - [0:0]',
    '-A WEFT_SERVICES -d 10.77.131.1/32 -p tcp -m tcp --dport 80 -m statistic --mode random --probability 0.50000 -j DNAT --to-destination 10.77.3.2:8080',
    '-A WEFT_SERVICES -d 10.77.131.1/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.77.3.3:8080',
    '-A WEFT_SERVICES -d 10.77.131.2/32 -p tcp -m tcp --dport 81 -j DNAT --to-destination 127.0.0.1:1',
    '-A OUTPUT -j WEFT_SERVICES',
    'COMMIT',
    '',
  ].join('\n'));
});

test('replicas are pods <name>-<i> behind one EndpointSlice, each with its readiness', () => {
  const m = parseMeshFile([deploy('api', 8080).replace('spec:\n  template', 'spec:\n  replicas: 3\n  template'), svc('api', 'api', 80, 'http')].join('---\n'), 'r.yaml');
  const placed = podsOf(m.workloads).map((p, i) => placePod(p, net, [0, 2, 5][i] as number));
  assert.deepEqual(placed.map((p) => [p.name, p.replica, p.netns, p.ip]), [['api-0', 0, 'weft3p0', '10.77.3.2'], ['api-1', 1, 'weft3p2', '10.77.3.4'], ['api-2', 2, 'weft3p5', '10.77.3.7']]);
  const addr: EndpointAddress = (pod, port) => ({ ip: placed.find((p) => p.name === pod.name)?.ip ?? '', port });
  const slices = endpointSlices(m.services, placed, addr, (pod) => pod !== 'api-1');
  assert.equal(slices.length, 1);
  assert.equal(slices[0]?.metadata.name, 'api-api');
  assert.deepEqual(slices[0]?.endpoints.map((e) => [e.addresses[0], e.ready, e.targetRef?.name]), [['10.77.3.2', true, 'api-0'], ['10.77.3.4', false, 'api-1'], ['10.77.3.7', true, 'api-2']]);
  // One replica keeps the Deployment's name.
  assert.deepEqual(podsOf(mesh.workloads).map((p) => p.name), ['api-1', 'api-2', 'web']);
});

test('slots: the lowest free one is given out again; cluster IPs come from slots too', () => {
  assert.equal(lowestFree(new Set([0, 1, 3])), 2);
  assert.equal(lowestFree(new Set()), 0);
  assert.equal(clusterIpOf(net, 4), '10.77.131.5');
  assert.throws(() => placePod(podsOf(mesh.workloads)[0] as ReturnType<typeof podsOf>[number], net, 253), /no free address/);
});

test('service rules for an update replace the chain without adding a second jump', () => {
  const rules = renderServiceRules(planServices(mesh, net, podIp), { jump: false });
  assert.doesNotMatch(rules, /-A OUTPUT/);
  assert.match(rules, /^:WEFT_SERVICES - \[0:0\]$/m);
});

test('loopback mode rewrites service addresses in env to an endpoint and sets HTTP_PROXY', () => {
  const plans = planServices(mesh, undefined, (_w, port) => ({ ip: '127.0.0.1', port: port + 10000 }));
  assert.equal(serviceForHost('api', 'shop', plans)?.name, 'api');
  assert.equal(serviceForHost('api', 'other', plans), undefined);
  assert.equal(serviceForHost('api.shop.svc.cluster.local', 'other', plans)?.name, 'api');
  const env = loopbackAppEnv(mesh.workloads[2] as (typeof mesh.workloads)[number], plans, '127.0.0.1:5000');
  assert.deepEqual(env, { UP: 'http://127.0.0.1:18080/x', OTHER: 'example.com:80', HTTP_PROXY: 'http://127.0.0.1:5000', http_proxy: 'http://127.0.0.1:5000' });
});

test('proxy env: interception in a namespace, explicit ports and the app address on loopback', () => {
  const w = mesh.workloads[0] as (typeof mesh.workloads)[number];
  const common = { workload: w, identityAddr: '10.77.3.1:8080', destinationAddr: '10.77.3.1:8086', localName: 'spiffe://cluster.local/ns/shop/sa/default', trustAnchorsFile: '/r/a.pem', tokenFile: '/r/t' };
  const ns = proxyEnv({ ...common, mode: 'netns' });
  assert.equal(ns['WEFT_PROXY_INTERCEPT'], 'true');
  assert.equal(ns['WEFT_PROXY_INBOUND_LISTEN_ADDR'], '0.0.0.0:4143');
  assert.equal(ns['WEFT_PROXY_INBOUND_DEFAULT_DST'], undefined);
  assert.equal(ns['WEFT_PROXY_IDENTITY_TOKEN_FILE'], '/r/t');
  assert.equal(ns['WEFT_PROXY_DESTINATION_CONTEXT'], '{"ns":"shop","pod":"api-1"}');
  const lo = proxyEnv({ ...common, mode: 'loopback', outboundAddr: '127.0.0.1:1', inboundAddr: '127.0.0.1:2', adminAddr: '127.0.0.1:3', appAddr: '127.0.0.1:8080' });
  assert.equal(lo['WEFT_PROXY_INTERCEPT'], undefined);
  assert.equal(lo['WEFT_PROXY_INBOUND_DEFAULT_DST'], '127.0.0.1:8080');
  assert.equal(lo['WEFT_PROXY_OUTBOUND_LISTEN_ADDR'], '127.0.0.1:1');
});
