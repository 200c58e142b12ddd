import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzManifests } from '../../helpers/manifest-fuzz.js';
import { parseDocument } from 'yaml';
import { parseManifests, ManifestError } from '../../../src/control/store/manifest.js';
import type {
  AuthorizationPolicy, GRPCRoute, HTTPLocalRateLimitPolicy, HTTPRoute, MeshTLSAuthentication, NetworkAuthentication, Pod, Server,
} from '../../../src/control/store/policy-types.js';

// Linkerd's policy resources as its users write them (emojivoto's authorization example, the
// Gateway API HTTPRoute of its docs), loaded unchanged.
export const LINKERD_POLICY = `
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata:
  namespace: emojivoto
  name: voting-grpc
  labels:
    app: voting-svc
spec:
  podSelector:
    matchLabels:
      app: voting-svc
  port: grpc
  proxyProtocol: gRPC
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata:
  name: voting-grpc
  namespace: emojivoto
spec:
  targetRef:
    group: policy.linkerd.io
    kind: Server
    name: voting-grpc
  requiredAuthenticationRefs:
    - name: web-authn
      kind: MeshTLSAuthentication
      group: policy.linkerd.io
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata:
  name: web-authn
  namespace: emojivoto
spec:
  identityRefs:
    - kind: ServiceAccount
      name: web
  identities:
    - "spiffe://cluster.local/ns/emojivoto/sa/vote-bot"
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata:
  name: cluster-network
  namespace: emojivoto
spec:
  networks:
  - cidr: 10.0.0.0/8
    except: [10.1.0.0/16]
  - cidr: fd00::/8
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata:
  name: voting-metrics
  namespace: emojivoto
spec:
  parentRefs:
    - name: voting-grpc
      kind: Server
      group: policy.linkerd.io
  rules:
    - matches:
      - path:
          value: "/metrics"
        method: GET
      - headers:
        - name: x-debug
          type: RegularExpression
          value: "^(1|true)$"
        queryParams:
        - name: v
          value: "2"
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web-split
  namespace: emojivoto
spec:
  parentRefs:
  - name: web-svc
    kind: Service
    group: core
    port: 80
  rules:
  - matches:
    - path: { type: Exact, value: /api/list }
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{ name: x-route, value: list }]
        remove: [x-internal]
    backendRefs:
    - { name: web-svc, port: 80, weight: 90 }
    - { name: web-canary, port: 80, weight: 10 }
    timeouts: { request: 2s, backendRequest: 500ms }
  - filters:
    - type: RequestRedirect
      requestRedirect: { scheme: https, statusCode: 301 }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: emoji
  namespace: emojivoto
spec:
  parentRefs: [{ name: emoji-svc, kind: Service, group: core, port: 8080 }]
  rules:
  - matches:
    - method: { service: emojivoto.v1.EmojiService, method: ListAll }
    backendRefs: [{ name: emoji-svc, port: 8080 }]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: HTTPLocalRateLimitPolicy
metadata:
  name: web-rl
  namespace: emojivoto
spec:
  targetRef: { group: policy.linkerd.io, kind: Server, name: voting-grpc }
  total: { requestsPerSecond: 100 }
  identity: { requestsPerSecond: 20 }
  overrides:
  - requestsPerSecond: 50
    clientRefs: [{ kind: ServiceAccount, name: web }]
---
apiVersion: v1
kind: Pod
metadata: { name: voting-0, namespace: emojivoto, labels: { app: voting-svc } }
spec:
  serviceAccountName: voting
  containers:
  - name: app
    ports: [{ name: grpc, containerPort: 8080 }]
`;

test('Linkerd policy manifests and Gateway API routes load unchanged', () => {
  const rs = parseManifests(LINKERD_POLICY, 'policy.yaml');
  assert.deepEqual(rs.map((r) => r.kind), [
    'Server', 'AuthorizationPolicy', 'MeshTLSAuthentication', 'NetworkAuthentication', 'HTTPRoute', 'HTTPRoute', 'GRPCRoute', 'HTTPLocalRateLimitPolicy', 'Pod',
  ]);
  const [srv, ap, mtls, net, inRoute, outRoute, grpc, rl, pod] = rs as [Server, AuthorizationPolicy, MeshTLSAuthentication, NetworkAuthentication, HTTPRoute, HTTPRoute, GRPCRoute, HTTPLocalRateLimitPolicy, Pod];
  assert.equal(srv.spec.port, 'grpc');
  assert.equal(srv.spec.proxyProtocol, 'gRPC');
  assert.equal(srv.spec.accessPolicy, 'deny');
  assert.deepEqual(srv.spec.podSelector.matchLabels, { app: 'voting-svc' });
  assert.equal(ap.spec.targetRef.kind, 'Server');
  assert.equal(ap.spec.requiredAuthenticationRefs[0]?.kind, 'MeshTLSAuthentication');
  assert.deepEqual(mtls.spec.identityRefs[0], { group: '', kind: 'ServiceAccount', name: 'web', namespace: undefined });
  assert.deepEqual(net.spec.networks[0], { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] });
  assert.deepEqual(inRoute.spec.rules[0]?.matches[0], { path: { type: 'PathPrefix', value: '/metrics' }, headers: [], queryParams: [], method: 'GET' });
  assert.equal(inRoute.spec.rules[0]?.matches[1]?.path, undefined);
  assert.equal(outRoute.spec.rules[0]?.backendRefs[1]?.weight, 10);
  assert.equal(outRoute.spec.rules[0]?.requestTimeoutMs, 2000);
  assert.equal(outRoute.spec.rules[1]?.filters[0]?.type, 'RequestRedirect');
  // A rule without matches matches everything (Gateway API: PathPrefix /).
  assert.deepEqual(outRoute.spec.rules[1]?.matches[0]?.path, { type: 'PathPrefix', value: '/' });
  assert.equal(grpc.spec.rules[0]?.matches[0]?.method, 'ListAll');
  assert.equal(rl.spec.overrides[0]?.clientRefs[0]?.name, 'web');
  assert.deepEqual(pod.spec.ports, [{ name: 'grpc', containerPort: 8080 }]);
});

function fieldError(yaml: string): ManifestError {
  try {
    parseManifests(yaml, 'bad.yaml');
  } catch (err) {
    assert.ok(err instanceof ManifestError, `expected a ManifestError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the manifest to be rejected');
}

test('malformed policy fields are rejected naming the field', () => {
  const cases: [string, string][] = [
    ['apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: s}\nspec: {podSelector: {}, port: 70000}', 'spec.port'],
    ['apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: s}\nspec: {podSelector: {}, port: 80, proxyProtocol: HTTP/3}', 'spec.proxyProtocol'],
    ['apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: s}\nspec: {port: 80}', 'spec.podSelector'],
    ['apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: s}\nspec: {podSelector: {matchExpressions: [{key: a, operator: In}]}, port: 80}', 'spec.podSelector.matchExpressions[0].values'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {targetRef: {kind: Pod, name: x}}', 'spec.targetRef.kind'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {targetRef: {kind: Server, name: x}, requiredAuthenticationRefs: [{kind: Secret, name: y}]}', 'spec.requiredAuthenticationRefs[0].kind'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: MeshTLSAuthentication\nmetadata: {name: m}\nspec: {identities: ["not an id!"]}', 'spec.identities[0]'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: NetworkAuthentication\nmetadata: {name: n}\nspec: {networks: [{cidr: 10.0.0.0/33}]}', 'spec.networks[0].cidr'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: NetworkAuthentication\nmetadata: {name: n}\nspec: {networks: [{cidr: 10.0.0.0/8, except: [banana]}]}', 'spec.networks[0].except[0]'],
    ['apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {parentRefs: [{name: s, kind: Server}], rules: [{matches: [{path: {type: Exact, value: nope}}]}]}', 'spec.rules[0].matches[0].path.value'],
    ['apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {parentRefs: [{name: s, kind: Server}], rules: [{matches: [{path: {type: RegularExpression, value: "(["}}]}]}', 'spec.rules[0].matches[0].path.value'],
    ['apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {parentRefs: [{name: g}]}', 'spec.parentRefs[0].kind'],
    ['apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {parentRefs: [{name: s, kind: Service}], rules: [{backendRefs: [{name: b, weight: -1}]}]}', 'spec.rules[0].backendRefs[0].weight'],
    ['apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {parentRefs: [{name: s, kind: Service}], rules: [{timeouts: {request: soon}}]}', 'spec.rules[0].timeouts.request'],
    ['apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: r}\nspec: {parentRefs: [{name: s, kind: Service}], rules: [{filters: [{type: RequestRedirect, requestRedirect: {}}]}]}', 'spec.rules[0].filters[0].type'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: HTTPLocalRateLimitPolicy\nmetadata: {name: r}\nspec: {targetRef: {kind: Server, name: s}, total: {requestsPerSecond: 0}}', 'spec.total.requestsPerSecond'],
    // weft's JWTAuthentication
    ['apiVersion: policy.weft.io/v1alpha1\nkind: JWTAuthentication\nmetadata: {name: j}\nspec: {audiences: [a], jwks: {url: "https://i/k"}}', 'spec.issuer'],
    ['apiVersion: policy.weft.io/v1alpha1\nkind: JWTAuthentication\nmetadata: {name: j}\nspec: {issuer: i, jwks: {url: "https://i/k"}}', 'spec.audiences'],
    ['apiVersion: policy.weft.io/v1alpha1\nkind: JWTAuthentication\nmetadata: {name: j}\nspec: {issuer: i, audiences: [a]}', 'spec.jwks'],
    ['apiVersion: policy.weft.io/v1alpha1\nkind: JWTAuthentication\nmetadata: {name: j}\nspec: {issuer: i, audiences: [a], jwks: {url: "https://i/k", file: /k.json}}', 'spec.jwks'],
    ['apiVersion: policy.weft.io/v1alpha1\nkind: JWTAuthentication\nmetadata: {name: j}\nspec: {issuer: i, audiences: [a], jwks: {file: keys.json}}', 'spec.jwks.file'],
    ['apiVersion: policy.weft.io/v1alpha1\nkind: JWTAuthentication\nmetadata: {name: j}\nspec: {issuer: i, audiences: [a], jwks: {url: "ftp://i/k"}}', 'spec.jwks.url'],
    ['apiVersion: policy.weft.io/v1alpha1\nkind: JWTAuthentication\nmetadata: {name: j}\nspec: {issuer: i, audiences: [a], jwks: {url: "https://i/k"}, claims: [{name: scope}]}', 'spec.claims[0].values'],
    ['apiVersion: policy.weft.io/v1alpha1\nkind: JWTAuthentication\nmetadata: {name: j}\nspec: {issuer: i, audiences: [""], jwks: {url: "https://i/k"}}', 'spec.audiences[0]'],
    // EgressNetwork (Linkerd 2.17)
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: EgressNetwork\nmetadata: {name: e}\nspec: {networks: [{cidr: 0.0.0.0/0}]}', 'spec.trafficPolicy'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: EgressNetwork\nmetadata: {name: e}\nspec: {trafficPolicy: Block}', 'spec.trafficPolicy'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: EgressNetwork\nmetadata: {name: e}\nspec: {trafficPolicy: Deny, networks: [{cidr: 300.0.0.0/8}]}', 'spec.networks[0].cidr'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: EgressNetwork\nmetadata: {name: e}\nspec: {trafficPolicy: Deny, networks: [{cidr: 0.0.0.0/0}, {except: [10.0.0.0/8]}]}', 'spec.networks[1].cidr'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: EgressNetwork\nmetadata: {name: e}\nspec: {trafficPolicy: Deny, networks: [{cidr: 10.0.0.0/16, except: [10.0.0.0/8]}]}', 'spec.networks[0].except[0]'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: EgressNetwork\nmetadata: {name: e}\nspec: {trafficPolicy: Deny, networks: [{cidr: 10.0.0.0/16, except: [192.168.1.1]}]}', 'spec.networks[0].except[0]'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: EgressNetwork\nmetadata: {name: e}\nspec: {trafficPolicy: Deny, networks: []}', 'spec.networks'],
    ['apiVersion: policy.linkerd.io/v1alpha1\nkind: EgressNetwork\nmetadata: {name: e}\nspec: {trafficPolicy: Deny, networks: {cidr: 0.0.0.0/0}}', 'spec.networks'],
    ['apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {parentRefs: [{name: e, kind: EgressNetwork}], rules: [{backendRefs: [{name: b, kind: Gateway}]}]}', 'spec.rules[0].backendRefs[0].kind'],
  ];
  for (const [yaml, field] of cases) {
    const err = fieldError(yaml);
    assert.equal(err.fieldPath, field, `${yaml}\n-> ${err.message}`);
    assert.match(err.message, /^bad\.yaml: document 0/);
  }
});

const JUNK: unknown[] = [null, 0, -1, 1.5, 70000, '', 'x', '*', '/', '((', true, [], [null], {}, { a: 1 }, '10.0.0.0/99', 'Server', 'In'];

test('fuzzed policy YAML never crashes validation and every rejection names a field', () => {
  const docs = LINKERD_POLICY.split('\n---\n').map((d) => parseDocument(d).toJS() as unknown);
  const rejected = fuzzManifests(docs, 3000, JUNK);
  assert.ok(rejected > 1000, `only ${rejected} of 3000 mutations were rejected: the fuzzer is not reaching the validator`);
});
