// The validating admission handlers as the API server calls them (AdmissionRequest in, verdict
// out; the HTTPS around them: test/control/webhook/server.test.ts, the real API server:
// test/e2e/k8s-install.test.ts): every policy kind of weft's groups refused with the field
// named and admitted when valid; other groups' objects (Gateway API routes of other
// controllers) never refused; and the webhook's rules, the CRDs and the validator kept in step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyValidator } from '../../../src/control/validator/policy.js';
import { serviceProfileValidator } from '../../../src/control/validator/serviceprofile.js';
import type { AdmissionRequest } from '../../../src/control/webhook/admission.js';
import { renderInstall } from '../../../src/runtime/kubernetes/install.js';
import { renderCrds } from '../../../src/runtime/kubernetes/manifests/crds.js';
import type { K8sObject } from '../../../src/runtime/kubernetes/manifests/yaml.js';
import { installValues } from '../../../src/runtime/kubernetes/values.js';
import { fixtureCerts } from '../../helpers/k8s-fixtures.js';

type Json = Record<string, unknown>;

function request(apiVersion: string, kind: string, name: string, spec: unknown, operation: AdmissionRequest['operation'] = 'CREATE'): AdmissionRequest {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
  return {
    uid: 'u1', kind: { group, version, kind }, operation, namespace: 'shop', name,
    object: { apiVersion, kind, metadata: { name, namespace: 'shop' }, spec },
  };
}

const validate = policyValidator();

// One invalid object per kind, the field its refusal must name, and a valid one.
const CASES: { apiVersions: string[]; kind: string; bad: unknown; field: RegExp; good: unknown }[] = [
  {
    apiVersions: ['policy.weft.io/v1beta3', 'policy.linkerd.io/v1beta3'], kind: 'Server',
    bad: { port: 8080 }, field: /spec\.podSelector: a Server needs a podSelector/,
    good: { podSelector: { matchLabels: { app: 'web' } }, port: 8080, proxyProtocol: 'HTTP/1' },
  },
  {
    apiVersions: ['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], kind: 'AuthorizationPolicy',
    bad: { requiredAuthenticationRefs: [] }, field: /spec\.targetRef: expected an object, got nothing \(the field is missing\)/,
    good: { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web-http' }, requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'api' }] },
  },
  {
    apiVersions: ['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], kind: 'MeshTLSAuthentication',
    bad: { identities: ['not an identity'] }, field: /spec\.identities\[0\]: "not an identity" is not an identity/,
    good: { identities: ['spiffe://cluster.local/ns/shop/sa/api'] },
  },
  {
    apiVersions: ['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], kind: 'NetworkAuthentication',
    bad: { networks: [{ cidr: '10.0.0.0/33' }] }, field: /spec\.networks\[0\]\.cidr: "10\.0\.0\.0\/33" is not a CIDR block/,
    good: { networks: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] },
  },
  {
    apiVersions: ['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], kind: 'HTTPLocalRateLimitPolicy',
    bad: { targetRef: { kind: 'Server', name: 'web-http' }, total: { requestsPerSecond: 0 } }, field: /spec\.total\.requestsPerSecond/,
    good: { targetRef: { kind: 'Server', name: 'web-http' }, total: { requestsPerSecond: 100 } },
  },
  {
    apiVersions: ['policy.weft.io/v1beta3', 'policy.linkerd.io/v1beta3'], kind: 'HTTPRoute',
    bad: { parentRefs: [{ kind: 'Server', name: 'web-http' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'items' } }] }] },
    field: /spec\.rules\[0\]\.matches\[0\]\.path\.value: "items" must start with "\/"/,
    good: { parentRefs: [{ kind: 'Server', name: 'web-http' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/items' } }] }] },
  },
  {
    apiVersions: ['policy.weft.io/v1alpha1', 'policy.linkerd.io/v1alpha1'], kind: 'EgressNetwork',
    bad: { networks: [{ cidr: '0.0.0.0/0' }] }, field: /spec\.trafficPolicy/,
    good: { networks: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }], trafficPolicy: 'Deny' },
  },
  {
    apiVersions: ['policy.weft.io/v1alpha1'], kind: 'JWTAuthentication',
    bad: { audiences: ['shop'], jwks: { url: 'https://issuer.example/keys' } }, field: /spec\.issuer/,
    good: { issuer: 'https://issuer.example', audiences: ['shop'], jwks: { url: 'https://issuer.example/keys' } },
  },
];

test('every policy kind of weft\'s groups is refused with the field named (422), and admitted when valid', async () => {
  for (const c of CASES) {
    for (const v of c.apiVersions) {
      const bad = await validate(request(v, c.kind, 'p1', c.bad));
      assert.equal(bad.allowed, false, `${v} ${c.kind}: invalid object admitted`);
      assert.equal(bad.code, 422);
      assert.match(bad.message ?? '', new RegExp(`^${c.kind} "p1" is invalid: ${c.field.source}`), `${v} ${c.kind}`);
      const good = await validate(request(v, c.kind, 'p1', c.good, 'UPDATE'));
      assert.equal(good.allowed, true, `${v} ${c.kind}: ${good.message}`);
    }
  }
});

test('a bad name is refused with metadata.name; a missing spec with spec', async () => {
  const badName = await validate(request('policy.weft.io/v1alpha1', 'NetworkAuthentication', 'Not_A_Name', { networks: [{ cidr: '0.0.0.0/0' }] }));
  assert.match(badName.message ?? '', /NetworkAuthentication "Not_A_Name" is invalid: metadata\.name: "Not_A_Name" is not a valid DNS name/);
  const noSpec = await validate({ ...request('policy.weft.io/v1alpha1', 'AuthorizationPolicy', 'a', undefined), object: { metadata: { name: 'a' } } });
  assert.match(noSpec.message ?? '', /AuthorizationPolicy "a" is invalid: spec: expected an object, got nothing \(the field is missing\)$/);
});

test('objects not weft\'s to refuse are admitted: Gateway API routes, other kinds, DELETE', async () => {
  // A Gateway API route of another controller (parent: a Gateway) — the store would skip it,
  // the webhook must not refuse it.
  const gw = await validate(request('gateway.networking.k8s.io/v1', 'HTTPRoute', 'r', { parentRefs: [{ name: 'ingress' }], rules: [{ matches: [{ path: { value: 'x' } }] }] }));
  assert.equal(gw.allowed, true);
  assert.equal((await validate(request('gateway.networking.k8s.io/v1', 'GRPCRoute', 'g', { parentRefs: [{ name: 'ingress' }] }))).allowed, true);
  assert.equal((await validate(request('policy.linkerd.io/v1alpha1', 'ExternalWorkload', 'e', { nonsense: true }))).allowed, true);
  assert.equal((await validate(request('policy.weft.io/v1alpha1', 'AuthorizationPolicy', 'a', {}, 'DELETE'))).allowed, true);
  // Each validator keeps to its kinds: a ServiceProfile is not the policy validator's, nor a policy the profile validator's.
  assert.equal((await validate(request('weft.io/v1alpha1', 'ServiceProfile', 's', { routes: 'x' }))).allowed, true);
  assert.equal((await serviceProfileValidator()(request('policy.weft.io/v1alpha1', 'AuthorizationPolicy', 'a', {}))).allowed, true);
});

// The webhook's rules, the CRDs and the validator in step: each (group, resource) the webhook
// sends is a weft CRD whose served version and kind the validator checks, and every policy CRD
// weft installs is sent — so no kind is silently admitted unchecked, nor refused unread.
test('the policy webhook covers exactly the policy CRDs weft installs, and the validator checks each', async () => {
  for (const linkerdCrds of [true, false]) {
    const values = installValues({ linkerdCrds });
    const objects = renderInstall(values, fixtureCerts());
    const vwc = objects.find((o) => o.kind === 'ValidatingWebhookConfiguration') as Json;
    const hooks = vwc['webhooks'] as Json[];
    const policy = hooks.find((h) => h['name'] === 'weft-policy-validator.weft.io') as Json;
    assert.equal((policy['clientConfig'] as Json)['service'] && ((policy['clientConfig'] as Json)['service'] as Json)['path'], '/validate/policy');
    const sent = new Set((policy['rules'] as { apiGroups: string[]; resources: string[]; operations: string[] }[]).flatMap((r) => {
      assert.deepEqual(r.operations, ['CREATE', 'UPDATE']);
      return r.apiGroups.flatMap((g) => r.resources.map((res) => `${res}.${g}`));
    }));
    const crds = (renderCrds(values) as (K8sObject & { spec: { group: string; names: { kind: string }; versions: { name: string }[] } })[])
      .filter((c) => c.spec.group.startsWith('policy.'));
    assert.deepEqual([...sent].sort(), crds.map((c) => c.metadata.name).sort(), `linkerdCrds=${linkerdCrds}`);
    assert.ok(![...sent].some((s) => s.endsWith('gateway.networking.k8s.io')), 'Gateway API objects are not sent');
    for (const c of crds) {
      for (const v of c.spec.versions) {
        // An invalid object of this kind and version is refused: the validator reads it.
        const r = await validate({ ...request(`${c.spec.group}/${v.name}`, c.spec.names.kind, 'x', 'not an object') });
        assert.equal(r.allowed, false, `${c.metadata.name} ${v.name} is validated`);
      }
    }
    const sp = hooks.find((h) => h['name'] === 'weft-sp-validator.weft.io') as Json;
    assert.deepEqual((sp['rules'] as { apiGroups: string[] }[])[0]?.apiGroups, linkerdCrds ? ['weft.io', 'linkerd.io'] : ['weft.io']);
  }
});
