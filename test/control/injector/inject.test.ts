// inject() and uninject(), the pure functions behind the webhook and `weft inject`: which pods
// are injected (pod over namespace, Linkerd's annotation too), what is added in each proxy mode,
// config.weft.io/* honoured (and refused by name when malformed), idempotence, a round trip
// through uninject, and the webhook's JSON patch producing exactly inject()'s pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseInjectorConfig, proxyModeForVersion } from '../../../src/control/injector/config.js';
import type { InjectorConfig } from '../../../src/control/injector/config.js';
import { InjectAnnotationError } from '../../../src/control/injector/errors.js';
import { inject, isInjected, uninject } from '../../../src/control/injector/inject.js';
import type { PodTemplate } from '../../../src/control/injector/inject.js';
import { injectorHandler } from '../../../src/control/injector/webhook.js';
import type { JsonPatchOp } from '../../../src/control/webhook/admission.js';
import { fixtureInjectorConfigYaml } from '../../helpers/k8s-fixtures.js';

const config: InjectorConfig = parseInjectorConfig(fixtureInjectorConfigYaml(), 'fixture');
const ctx = { createdBy: 'weft/test', controlPlaneNamespace: 'weft' };

function pod(annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}): PodTemplate {
  return { metadata: { name: 'web', annotations }, spec: { containers: [{ name: 'app', image: 'example.invalid/app:1' }], ...spec } };
}

type C = { name: string; args?: string[]; env?: { name: string; value?: string }[]; restartPolicy?: string; resources?: unknown };
const inits = (p: PodTemplate): C[] => (p.spec?.['initContainers'] as C[] | undefined) ?? [];
const containers = (p: PodTemplate): C[] => (p.spec?.['containers'] as C[] | undefined) ?? [];
const env = (c: C | undefined, name: string): string | undefined => c?.env?.find((e) => e.name === name)?.value;

function injected(p: PodTemplate, ns: Record<string, string> = {}): PodTemplate {
  const r = inject(p, config, { ...ctx, namespaceAnnotations: ns });
  assert.ok(r.injected, r.injected ? '' : r.reason);
  return r.pod;
}

test('which pods are injected: pod annotation over namespace annotation; Linkerd\'s annotation works too', () => {
  const no = (p: PodTemplate, ns: Record<string, string> = {}) => inject(p, config, { ...ctx, namespaceAnnotations: ns });
  assert.equal(no(pod()).injected, false, 'nothing annotated');
  assert.match((no(pod()) as { reason: string }).reason, /weft\.io\/inject: enabled/);
  assert.equal(no(pod({ 'weft.io/inject': 'enabled' })).injected, true);
  assert.equal(no(pod({ 'linkerd.io/inject': 'enabled' })).injected, true);
  assert.equal(no(pod(), { 'weft.io/inject': 'enabled' }).injected, true, 'namespace enabled');
  assert.equal(no(pod({ 'weft.io/inject': 'disabled' }), { 'weft.io/inject': 'enabled' }).injected, false, 'pod disabled wins');
  assert.equal(no(pod({ 'weft.io/inject': 'enabled' }), { 'weft.io/inject': 'disabled' }).injected, true, 'pod enabled wins');
  assert.equal(inject(pod(), config, { ...ctx, force: true }).injected, true, 'the CLI injects what it is given');
  assert.equal(inject(pod({ 'weft.io/inject': 'disabled' }), config, { ...ctx, force: true }).injected, false, 'but not what is disabled');
  assert.throws(() => no(pod({ 'weft.io/inject': 'ingress' })), (e: unknown) => e instanceof InjectAnnotationError && /weft\.io\/inject: "ingress"/.test(e.message));
});

test('hostNetwork pods are never injected', () => {
  const r = inject(pod({ 'weft.io/inject': 'enabled' }, { hostNetwork: true }), config, ctx);
  assert.equal(r.injected, false);
  assert.match((r as { reason: string }).reason, /hostNetwork/);
});

test('native mode: weft-init, then the proxy as a native sidecar, before the pod\'s own init containers', () => {
  const p = injected(pod({ 'weft.io/inject': 'enabled' }, { initContainers: [{ name: 'migrate', image: 'x' }] }));
  assert.deepEqual(inits(p).map((c) => c.name), ['weft-init', 'weft-proxy', 'migrate']);
  assert.deepEqual(containers(p).map((c) => c.name), ['app']);
  const proxy = inits(p)[1];
  assert.equal(proxy?.restartPolicy, 'Always');
  assert.equal(env(proxy, 'WEFT_PROXY_IDENTITY_LOCAL_NAME'), 'spiffe://cluster.local/ns/$(WEFT_POD_NAMESPACE)/sa/$(WEFT_POD_SERVICE_ACCOUNT)');
  assert.equal(env(proxy, 'WEFT_PROXY_IDENTITY_TOKEN_FILE'), '/var/run/secrets/tokens/weft-identity-token');
  assert.equal(env(proxy, 'WEFT_PROXY_DESTINATION_SVC_ADDR'), 'weft-dst.weft.svc.cluster.local:8086');
  assert.equal(env(proxy, 'WEFT_PROXY_INTERCEPT'), 'true');
  assert.match(env(proxy, 'WEFT_PROXY_IDENTITY_TRUST_ANCHORS') ?? '', /BEGIN CERTIFICATE/);
  // Tap, to the tap component's identity alone, on the port the tap component dials.
  assert.equal(env(proxy, 'WEFT_PROXY_TAP_SVC_NAME'), 'spiffe://cluster.local/ns/weft/sa/weft-tap');
  assert.equal(env(proxy, 'WEFT_PROXY_TAP_LISTEN_ADDR'), '0.0.0.0:4190');
  assert.ok(((proxy as C & { ports?: { name: string; containerPort: number }[] }).ports ?? []).some((x) => x.name === 'weft-tap' && x.containerPort === 4190));
  assert.equal(p.metadata?.annotations?.['weft.io/proxy-version'], config.proxyVersion);
  assert.equal(p.metadata?.annotations?.['weft.io/proxy-mode'], 'native');
  assert.equal(p.metadata?.labels?.['weft.io/control-plane-ns'], 'weft');
});

test('classic mode (annotation or cluster version): proxy first among containers, weft-init last among init containers', () => {
  const p = injected(pod({ 'weft.io/inject': 'enabled', 'config.weft.io/proxy-mode': 'classic' }, { initContainers: [{ name: 'migrate', image: 'x' }] }));
  assert.deepEqual(inits(p).map((c) => c.name), ['migrate', 'weft-init']);
  assert.deepEqual(containers(p).map((c) => c.name), ['weft-proxy', 'app']);
  assert.equal(proxyModeForVersion(1, 28), 'classic');
  assert.equal(proxyModeForVersion(1, 29), 'native');
  const old = inject(pod({ 'weft.io/inject': 'enabled' }), { ...config, defaultProxyMode: proxyModeForVersion(1, 27) }, ctx);
  assert.ok(old.injected && old.mode === 'classic');
});

test("the pod's TCP container ports are the proxy's inbound ports (policies fetched at start); none or too many, no variable", () => {
  const p = injected(pod({ 'weft.io/inject': 'enabled' }, { containers: [
    { name: 'app', image: 'x', ports: [{ containerPort: 8080 }, { containerPort: 9090, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }] },
    { name: 'side', image: 'y', ports: [{ containerPort: 8080 }, { containerPort: 7000 }] },
  ] }));
  assert.equal(env(inits(p)[1], 'WEFT_PROXY_INBOUND_PORTS'), '7000,8080,9090');
  assert.equal(env(inits(injected(pod({ 'weft.io/inject': 'enabled' })))[1], 'WEFT_PROXY_INBOUND_PORTS'), undefined);
  // More than the proxy takes: left out (policies on first connection), not a proxy that fails to start.
  const many = injected(pod({ 'weft.io/inject': 'enabled' }, { containers: [{ name: 'app', image: 'x', ports: Array.from({ length: 101 }, (_, i) => ({ containerPort: 2000 + i })) }] }));
  assert.equal(env(inits(many)[1], 'WEFT_PROXY_INBOUND_PORTS'), undefined);
});

test('config.weft.io/* (and config.linkerd.io/*) annotations, pod over namespace', () => {
  const p = injected(pod({
    'weft.io/inject': 'enabled',
    'config.weft.io/skip-inbound-ports': '22, 8000-8100',
    'config.linkerd.io/skip-outbound-ports': '5432',
    'config.weft.io/opaque-ports': '3306',
    'config.weft.io/proxy-cpu-limit': '1',
    'config.weft.io/proxy-memory-request': '32Mi',
  }), { 'config.weft.io/proxy-log-level': 'debug', 'config.weft.io/proxy-memory-request': '128Mi' });
  const [init, proxy] = inits(p);
  assert.deepEqual(init?.args?.slice(-4), ['--skip-inbound-ports', '22,8000-8100', '--skip-outbound-ports', '5432']);
  assert.equal(env(proxy, 'WEFT_PROXY_OPAQUE_PORTS'), '3306');
  assert.equal(env(proxy, 'WEFT_PROXY_LOG_LEVEL'), 'debug', 'from the namespace');
  assert.deepEqual(proxy?.resources, { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '1' } }, 'pod over namespace over defaults');
});

test('a malformed config annotation is refused, naming it', () => {
  const bad: [string, string, RegExp][] = [
    ['config.weft.io/skip-inbound-ports', 'http', /skip-inbound-ports: "http": invalid port or range "http"/],
    ['config.weft.io/opaque-ports', '70000', /opaque-ports: "70000": invalid port 70000/],
    ['config.weft.io/proxy-cpu-request', 'a lot', /proxy-cpu-request: "a lot": not a resource quantity/],
    ['config.weft.io/proxy-log-level', 'loud', /proxy-log-level: "loud"/],
    ['config.weft.io/proxy-mode', 'ambient', /proxy-mode: "ambient": expected native or classic/],
  ];
  for (const [k, v, re] of bad) {
    assert.throws(() => inject(pod({ 'weft.io/inject': 'enabled', [k]: v }), config, ctx), (e: unknown) => e instanceof InjectAnnotationError && re.test(e.message), k);
  }
});

test('idempotent: an injected pod is returned unchanged; uninject restores the original', () => {
  const original = pod({ 'weft.io/inject': 'enabled', keep: 'me' }, { initContainers: [{ name: 'migrate', image: 'x' }], volumes: [{ name: 'data', emptyDir: {} }] });
  const once = injected(original);
  assert.ok(isInjected(once));
  const twice = inject(once, config, ctx);
  assert.equal(twice.injected, false);
  assert.equal((twice as { reason: string }).reason, 'already injected');
  assert.deepEqual(uninject(once).pod, original);
  const classic = injected(pod({ 'weft.io/inject': 'enabled', 'config.weft.io/proxy-mode': 'classic' }));
  assert.deepEqual(uninject(classic).pod, pod({ 'weft.io/inject': 'enabled', 'config.weft.io/proxy-mode': 'classic' }));
  assert.equal(uninject(original).changed, false);
});

function applyPatch(doc: unknown, ops: readonly JsonPatchOp[]): unknown {
  const out = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  for (const op of ops) {
    const keys = op.path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    let target = out;
    for (const k of keys.slice(0, -1)) target = target[k] as Record<string, unknown>;
    const last = keys[keys.length - 1] as string;
    if (op.op === 'remove') delete target[last];
    else target[last] = op.value;
  }
  return out;
}

test("the webhook's JSON patch turns the admitted pod into inject()'s pod; bad annotations admit with a warning", async () => {
  const handler = injectorHandler({ config, namespaceAnnotations: async (ns): Promise<Record<string, string>> => (ns === 'meshed' ? { 'weft.io/inject': 'enabled' } : {}), ...ctx });
  const p = pod({ 'a/b~c': 'escaped keys' });
  const review = (namespace: string, object: PodTemplate) => ({ uid: 'u1', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE' as const, namespace, object });
  const r = await handler(review('meshed', p));
  assert.equal(r.allowed, true);
  assert.deepEqual(applyPatch(p, r.patch ?? []), injected(p, { 'weft.io/inject': 'enabled' }));
  assert.deepEqual(await handler(review('plain', p)), { allowed: true });
  const bad = await handler(review('meshed', pod({ 'config.weft.io/opaque-ports': 'x' })));
  assert.equal(bad.allowed, true);
  assert.equal(bad.patch, undefined);
  assert.match(bad.warnings?.[0] ?? '', /weft: pod not injected: annotation config\.weft\.io\/opaque-ports: "x"/);
});

test('the injector config is validated with the field named', () => {
  const doc = parse(fixtureInjectorConfigYaml()) as Record<string, unknown>;
  const stringify = (o: unknown): string => JSON.stringify(o);
  assert.throws(() => parseInjectorConfig(stringify({ ...doc, proxyUid: 0 }), 'c.yaml'), /c\.yaml: proxyUid: expected an integer/);
  assert.throws(() => parseInjectorConfig(stringify({ ...doc, trustAnchorsPem: 'nope' }), 'c.yaml'), /trustAnchorsPem: no PEM certificate/);
  assert.throws(() => parseInjectorConfig(stringify({ ...doc, defaultProxyMode: 'x' }), 'c.yaml'), /defaultProxyMode/);
  assert.throws(() => parseInjectorConfig('a: [', 'c.yaml'), /c\.yaml: not YAML/);
  assert.throws(() => parseInjectorConfig(stringify({ ...doc, tapIdentity: 'weft-tap' }), 'c.yaml'), /c\.yaml: tapIdentity: .*expected spiffe:/);
  // A config written before tap (weft upgrade from an older install): no tap env on proxies.
  const { tapIdentity: _tap, ...old } = doc;
  const oldConfig = parseInjectorConfig(stringify(old), 'c.yaml');
  assert.equal(oldConfig.tapIdentity, undefined);
  const r = inject(pod({ 'weft.io/inject': 'enabled' }), oldConfig, { ...ctx, namespaceAnnotations: {} });
  assert.ok(r.injected);
  assert.equal(env(inits(r.pod)[1], 'WEFT_PROXY_TAP_SVC_NAME'), undefined);
});
