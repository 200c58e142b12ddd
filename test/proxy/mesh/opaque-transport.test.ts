// Regression (issue 18, item 3, proxy side): opaque TCP to a meshed endpoint goes over mTLS to
// the inbound port discovery names in `opaque_transport.inbound_port` — as Linkerd's proxy
// does — and no longer only to WEFT_PROXY_INBOUND_PEER_PORT (kept as the fallback when the
// controller does not say). Here that setting points at a dead port, and the endpoint's own
// port is the plain-TCP app, so only the discovered port can make the connection work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { formatAddress, type Address } from '../../../src/lib/address.js';
import { formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import { startTestControlPlane } from '../../helpers/destination.js';
import { metricValue, startTestProxy } from '../../helpers/proxy.js';
import { deadPort, tcpBackend } from '../../helpers/servers.js';
import { testPki } from '../tls/fixtures.js';

/** Sends `msg`, half-closes, and resolves with everything read until the proxy closes. */
function exchange(to: Address, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(to.port, to.host, () => s.end(msg));
    const got: Buffer[] = [];
    s.on('data', (c: Buffer) => got.push(c));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(got).toString()));
  });
}

test('opaque TCP to a meshed endpoint goes to the inbound port discovery names (opaque_transport)', async (t) => {
  const pki = await testPki();
  const db = workloadId('demo', 'db');
  const web = workloadId('demo', 'web');
  const app = await tcpBackend();
  t.after(() => app.close());
  const inbound = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr) }, { tlsIdentity: Object.assign(await pki.identity(db), { localName: formatSpiffe(db) }) });
  t.after(() => inbound.close());

  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  await cp.apply(`
apiVersion: v1
kind: Service
metadata: {name: db, namespace: demo}
spec:
  clusterIP: 10.96.0.60
  ports: [{name: db, port: 5432, targetPort: ${app.addr.port}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-0, namespace: demo, labels: {kubernetes.io/service-name: db}}
endpoints:
- addresses: [127.0.0.1]
  targetRef: {kind: Pod, name: db-0, namespace: demo, serviceAccountName: db, proxyInboundPort: ${inbound.inbound.port}}
ports: [{name: db, port: ${app.addr.port}}]
---
apiVersion: weft.io/v1alpha1
kind: ServiceProfile
metadata: {name: db.demo.svc.cluster.local, namespace: demo}
spec: {opaquePorts: [5432]}
`);
  const outbound = await startTestProxy(
    {
      WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr,
      WEFT_PROXY_OUTBOUND_DEFAULT_DST: '10.96.0.60:5432',
      WEFT_PROXY_OPAQUE_PORTS: '5432',
      WEFT_PROXY_INBOUND_PEER_PORT: String((await deadPort()).port),
    },
    { tlsIdentity: Object.assign(await pki.identity(web), { localName: formatSpiffe(web) }) },
  );
  t.after(() => outbound.close());

  assert.equal(await exchange(outbound.outbound, 'select 1;'), 'select 1;');
  // It crossed the hop as mTLS from the client's identity, into the inbound proxy.
  assert.equal(await metricValue(inbound, 'tcp_open_total', { direction: 'inbound', tls: 'true', client_id: formatSpiffe(web) }), 1);
});
