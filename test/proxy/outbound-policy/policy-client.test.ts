// The proxy's OutboundPolicies client against the real policy server: one shared watch per
// target however many requests ask, NOT_FOUND for what is no Service, the last answer kept while
// the control plane is away, and watches closed once their target goes unused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutboundPolicyClient } from '../../../src/proxy/outbound/policy-client.js';
import { serviceYaml, startTestControlPlane } from '../../helpers/destination.js';
import { sleep, until } from '../../helpers/http-load.js';

const NS = 'demo';
const WEB = `web.${NS}.svc.cluster.local:80`;

test('outbound policy watches are shared per target, kept across control-plane loss and evicted when idle', { timeout: 20_000 }, async (t) => {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  await cp.apply(serviceYaml(NS, 'web') + `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ${NS}}
spec:
  parentRefs: [{kind: Service, group: core, name: web}]
---
`);
  const client = new OutboundPolicyClient({ address: cp.addr, sourceWorkload: `{"ns":"${NS}"}`, idleMs: 300 });
  t.after(() => client.close());

  const views = await Promise.all(Array.from({ length: 50 }, () => client.lookup(WEB)));
  assert.ok(views.every((v) => v?.routes[0]?.labels.name === 'r'));
  assert.equal(client.subscriptions(WEB), 1, 'one stream for 50 lookups');
  assert.equal(client.size, 1);
  assert.equal(await client.lookup(`nope.${NS}.svc.cluster.local:80`), undefined, 'no such Service: no policy');

  await cp.stop();
  await sleep(200);
  const kept = client.lookup(WEB);
  assert.ok(!(kept instanceof Promise) && kept?.routes[0]?.labels.name === 'r', 'the last answer stays while the control plane is away');
  await cp.start();

  await until('idle watches to be closed', () => client.size === 0, 3000);
  assert.equal(client.subscriptions(WEB), undefined);
});
