// test-timeout: 600000
// weft on a real API server, the way a user meets it: `weft install | kubectl apply -f -`, the
// injector (run on this host with the installed certificate; the API server reaches it at the
// injector pod's IP, which the test reports as a kubelet would) injecting pods at admission, the
// validators refusing a bad ServiceProfile and bad policy objects, `weft check` passing — and failing with the right hint
// when the injector is down. The steps build on each other, in order. (Upgrade, heartbeat,
// uninstall and a wrong webhook certificate: k8s-lifecycle.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { k8sSkipReason, startCluster, type KubeCluster } from '../helpers/k8s-cluster.js';
import { markPodRunning, podsOf } from '../helpers/k8s-kubelet.js';
import { controlPlaneUp, weftOn, type WeftOnCluster } from '../helpers/k8s-weft.js';

interface Pod {
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: {
    containers: { name: string; args?: string[]; env?: { name: string; value?: string }[]; lifecycle?: unknown; ports?: unknown[] }[];
    initContainers?: { name: string; restartPolicy?: string; args?: string[]; readinessProbe?: { httpGet?: { path: string; port: number } } }[];
    volumes?: { name: string; projected?: { sources: { serviceAccountToken?: { audience: string } }[] } }[];
  };
}

const names = (p: Pod): string[] => [...(p.spec.initContainers ?? []), ...p.spec.containers].map((c) => c.name);

// On a cluster named by KUBECONFIG the API server cannot call a webhook running on this host,
// nor would a real kubelet let the test report pod status: this file needs the local API server.
const skip = k8sSkipReason() ?? (process.env.KUBECONFIG ? 'needs the local test API server (KUBECONFIG names another cluster)' : undefined);

describe('weft on Kubernetes: install, inject, validate, check', { skip, timeout: 300_000 /* may wait for the other k8s e2e file's lock */ }, () => {
  let cluster: KubeCluster;
  let w: WeftOnCluster;
  const weft = (args: string[], stdin = '') => w.weft(args, stdin);
  const pod = async (ns: string, name: string): Promise<Pod> => JSON.parse(await cluster.k(['get', 'pod', name, '-n', ns, '-o', 'json'])) as Pod;
  const podYaml = (ns: string, name: string, annotations: Record<string, string> = {}, extra = ''): string =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  annotations: ${JSON.stringify(annotations)}\nspec:\n  containers: [{name: app, image: example.invalid/app:1, ports: [{containerPort: 8080}]}]\n${extra}`;

  before(async () => {
    cluster = await startCluster();
    w = await weftOn(cluster);
  });

  after(async () => {
    await w?.close();
    await cluster?.stop();
  });

  test('weft check --pre passes on an empty cluster', async () => {
    const r = await weft(['check', '--pre']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\u2714 control plane namespace does not already exist/);
  });

  test('weft install | kubectl apply -f - applies cleanly and creates every object', async () => {
    const install = await weft(['install']);
    assert.equal(install.code, 0, install.stderr);
    const applied = await cluster.kubectl(['apply', '-f', '-'], install.stdout);
    assert.equal(applied.code, 0, applied.stderr);
    assert.doesNotMatch(applied.stderr, /warning/i, 'no warnings from the API server');
    for (const kind of ['deployment/weft-identity', 'deployment/weft-destination', 'deployment/weft-injector', 'deployment/weft-tap',
      'service/weft-identity', 'service/weft-dst', 'service/weft-injector', 'service/weft-tap', 'serviceaccount/weft-tap',
      'secret/weft-identity-issuer', 'secret/weft-injector-k8s-tls', 'configmap/weft-config', 'cronjob/weft-heartbeat']) {
      await cluster.k(['get', '-n', 'weft', kind]);
    }
    await cluster.k(['get', 'mutatingwebhookconfiguration/weft-proxy-injector-webhook-config', 'validatingwebhookconfiguration/weft-sp-validator-webhook-config',
      'crd/serviceprofiles.weft.io', 'crd/serviceprofiles.linkerd.io', 'clusterrole/weft-destination', 'clusterrole/weft-tap']);
    // The tap component may list pods and services, and nothing more.
    assert.equal((await cluster.k(['auth', 'can-i', 'list', 'pods', '--as', 'system:serviceaccount:weft:weft-tap'])).trim(), 'yes');
    assert.equal((await cluster.kubectl(['auth', 'can-i', 'get', 'secrets', '-n', 'weft', '--as', 'system:serviceaccount:weft:weft-tap'])).stdout.trim(), 'no');
    // Applying again changes nothing (kubectl says "unchanged" for every object).
    const again = await cluster.kubectl(['apply', '-f', '-'], install.stdout);
    assert.equal(again.code, 0);
    assert.doesNotMatch(again.stdout, / (created|configured)$/m, again.stdout);
  });

  test('the control plane comes up (pods reported running, as a kubelet would) and the injector serves on this host', async () => {
    await controlPlaneUp(w, cluster);
  });

  test('a pod in an annotated namespace is stored with the proxy (native sidecar) added by the webhook', async () => {
    await cluster.k(['create', 'namespace', 'app']);
    await cluster.k(['annotate', 'namespace', 'app', 'weft.io/inject=enabled']);
    await cluster.k(['create', 'serviceaccount', 'web', '-n', 'app']);
    await cluster.k(['apply', '-f', '-'], podYaml('app', 'web-0', {}, '  serviceAccountName: web\n'));
    const p = await pod('app', 'web-0');
    assert.deepEqual(names(p), ['weft-init', 'weft-proxy', 'app'], 'init, then the proxy as a native sidecar, then the app');
    const proxy = p.spec.initContainers?.find((c) => c.name === 'weft-proxy');
    assert.equal(proxy?.restartPolicy, 'Always');
    assert.equal(proxy?.readinessProbe?.httpGet?.path, '/ready');
    assert.equal(proxy?.readinessProbe?.httpGet?.port, 4191);
    assert.equal(p.metadata.annotations?.['weft.io/proxy-version'], '0.1.0');
    assert.equal(p.metadata.labels?.['weft.io/control-plane-ns'], 'weft');
    assert.ok(p.spec.volumes?.some((v) => v.projected?.sources.some((s) => s.serviceAccountToken?.audience === 'identity.weft.io')));
    // Tap: served to the tap component's identity alone, on the named port it dials.
    const tapEnv = (n: string): string | undefined => (proxy as { env?: { name: string; value?: string }[] } | undefined)?.env?.find((e) => e.name === n)?.value;
    assert.equal(tapEnv('WEFT_PROXY_TAP_SVC_NAME'), 'spiffe://cluster.local/ns/weft/sa/weft-tap');
    assert.equal(tapEnv('WEFT_PROXY_TAP_LISTEN_ADDR'), '0.0.0.0:4190');
    // The API server called our injector over TLS (the injector logged this very pod).
    assert.match(w.injector?.output() ?? '', /injected namespace="app" name="web-0" mode="native"/);
  });

  test("a Deployment's pods are injected too, and config.weft.io annotations are honoured", async () => {
    await cluster.k(['apply', '-f', '-'], `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: app}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations: {config.weft.io/proxy-mode: classic, config.weft.io/skip-outbound-ports: "5432", config.weft.io/proxy-log-level: debug}
    spec:
      containers: [{name: api, image: example.invalid/api:1}]
`);
    const [name] = await podsOf(cluster, 'app', 'app=api');
    const p = await pod('app', name as string);
    assert.deepEqual(names(p), ['weft-init', 'weft-proxy', 'api'], 'classic: init container, then the proxy first among containers');
    assert.ok(p.spec.containers[0]?.lifecycle, 'the classic proxy holds the app back until ready (postStart)');
    assert.deepEqual(p.spec.initContainers?.[0]?.args?.slice(-2), ['--skip-outbound-ports', '5432']);
    assert.equal(p.spec.containers[0]?.env?.find((e) => e.name === 'WEFT_PROXY_LOG_LEVEL')?.value, 'debug');
  });

  test('unannotated, disabled and hostNetwork pods are untouched; a bad annotation admits the pod unchanged with a warning', async () => {
    await cluster.k(['create', 'namespace', 'plain']);
    await cluster.k(['apply', '-f', '-'], podYaml('plain', 'bare'));
    assert.deepEqual(names(await pod('plain', 'bare')), ['app']);
    await cluster.k(['apply', '-f', '-'], podYaml('app', 'opted-out', { 'weft.io/inject': 'disabled' }));
    assert.deepEqual(names(await pod('app', 'opted-out')), ['app']);
    await cluster.k(['apply', '-f', '-'], podYaml('app', 'host', {}, '  hostNetwork: true\n'));
    assert.deepEqual(names(await pod('app', 'host')), ['app']);
    const bad = await cluster.kubectl(['apply', '-f', '-'], podYaml('app', 'bad-ports', { 'config.weft.io/skip-inbound-ports': 'eighty' }));
    assert.equal(bad.code, 0, bad.stderr);
    assert.match(bad.stderr, /Warning: weft: pod not injected: annotation config\.weft\.io\/skip-inbound-ports: "eighty"/);
    assert.deepEqual(names(await pod('app', 'bad-ports')), ['app']);
  });

  test('a bad ServiceProfile is refused by the API server through the validator, naming the field', async () => {
    const sp = (apiVersion: string, method: string): string => `apiVersion: ${apiVersion}
kind: ServiceProfile
metadata: {name: web.app.svc.cluster.local, namespace: app}
spec:
  routes:
  - name: GET /items
    condition: {method: ${method}, pathRegex: /items}
`;
    for (const v of ['weft.io/v1alpha1', 'linkerd.io/v1alpha2']) {
      const r = await cluster.kubectl(['apply', '-f', '-'], sp(v, '"GE T"'));
      assert.notEqual(r.code, 0, `${v}: stored: ${r.stdout}`);
      assert.match(r.stderr, /admission webhook "weft-sp-validator\.weft\.io" denied the request: ServiceProfile "web\.app\.svc\.cluster\.local" is invalid: spec\.routes\[0\]\.condition\.method: "GE T" is not an HTTP method/);
    }
    const ok = await cluster.kubectl(['apply', '-f', '-'], sp('weft.io/v1alpha1', 'GET'));
    assert.equal(ok.code, 0, ok.stderr);
  });

  test('invalid policy objects are refused by the API server through the policy validator, naming the field; valid ones are stored', async () => {
    const denied = (kind: string, name: string): string =>
      `admission webhook "weft-policy-validator\\.weft\\.io" denied the request: ${kind} "${name}" is invalid: `;
    // An AuthorizationPolicy without its targetRef, in weft's group and Linkerd's.
    for (const group of ['policy.weft.io', 'policy.linkerd.io']) {
      const r = await cluster.kubectl(['apply', '-f', '-'], `apiVersion: ${group}/v1alpha1
kind: AuthorizationPolicy
metadata: {name: no-target, namespace: app}
spec:
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: web}]
`);
      assert.notEqual(r.code, 0, `${group}: stored: ${r.stdout}`);
      assert.match(r.stderr, new RegExp(denied('AuthorizationPolicy', 'no-target') + 'spec\\.targetRef: expected an object'));
    }
    // An HTTPRoute whose path match does not start with "/".
    const route = (path: string): string => `apiVersion: policy.weft.io/v1beta3
kind: HTTPRoute
metadata: {name: items, namespace: app}
spec:
  parentRefs: [{group: policy.weft.io, kind: Server, name: web-http}]
  rules:
  - matches: [{path: {type: PathPrefix, value: ${path}}}]
`;
    const bad = await cluster.kubectl(['apply', '-f', '-'], route('items'));
    assert.notEqual(bad.code, 0, `stored: ${bad.stdout}`);
    assert.match(bad.stderr, new RegExp(denied('HTTPRoute', 'items') + 'spec\\.rules\\[0\\]\\.matches\\[0\\]\\.path\\.value: "items" must start with "/"'));
    // Valid objects are admitted and stored; an update that breaks one is refused and changes nothing.
    for (const doc of [route('/items'), `apiVersion: policy.weft.io/v1beta3
kind: Server
metadata: {name: web-http, namespace: app}
spec: {podSelector: {matchLabels: {app: web}}, port: 8080, proxyProtocol: HTTP/1}
`, `apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: web-from-api, namespace: app}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: web-http}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: api}]
`]) {
      const ok = await cluster.kubectl(['apply', '-f', '-'], doc);
      assert.equal(ok.code, 0, ok.stderr);
    }
    const broken = await cluster.kubectl(['patch', 'servers.policy.weft.io', 'web-http', '-n', 'app', '--type', 'merge', '-p', '{"spec":{"proxyProtocol":"HTTP/3"}}']);
    assert.notEqual(broken.code, 0, broken.stdout);
    assert.match(broken.stderr, new RegExp(denied('Server', 'web-http') + 'spec\\.proxyProtocol: "HTTP/3" is not one of'));
    assert.equal(await cluster.k(['get', 'servers.policy.weft.io', 'web-http', '-n', 'app', '-o', 'jsonpath={.spec.proxyProtocol}']), 'HTTP/1');
  });

  test('weft check passes on the good install (with -o json too)', async () => {
    const r = await weft(['check']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /weft-webhooks-and-apisvc-tls\n-+\n(.*\n)*\u2714 the API server calls the proxy injector/);
    assert.match(r.stdout, /Status check results are \u2714/);
    const j = await weft(['check', '-o', 'json']);
    const report = JSON.parse(j.stdout) as { success: boolean; categories: { categoryName: string }[] };
    assert.equal(report.success, true);
    assert.deepEqual(report.categories.map((c) => c.categoryName), ['kubernetes-api', 'kubernetes-version', 'weft-existence', 'weft-config', 'weft-identity', 'weft-webhooks-and-apisvc-tls']);
  });

  test('weft check --proxy checks meshed pods (proxy ready as reported)', async () => {
    await markPodRunning(cluster, 'app', 'web-0', '10.244.0.10');
    const r = await weft(['check', '--proxy', '-n', 'app']);
    assert.match(r.stdout, /\u2714 data plane proxies are ready \(2 meshed pods\)|data plane proxies are ready/);
    // The api Deployment's pod has no status: not Running, so not counted as a broken proxy.
    assert.equal(r.code, 0, r.stdout);
  });

  test('with the injector down, pods are still created (without the proxy) and weft check says why', async () => {
    await w.stopInjector();
    const created = await cluster.kubectl(['apply', '-f', '-'], podYaml('app', 'while-down'));
    assert.equal(created.code, 0, `failurePolicy Ignore: pod creation is not blocked: ${created.stderr}`);
    assert.deepEqual(names(await pod('app', 'while-down')), ['app']);
    const r = await weft(['check', '--proxy', '-n', 'app']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /\u00d7 the API server calls the proxy injector\n.*admitted without the proxy\n\s+hint: .*failurePolicy: Ignore/);
    assert.match(r.stdout, /\u203c pods meant to be meshed have a proxy\n\s+pods annotated for injection without a proxy:\n\s+app\/bad-ports\n\s+app\/while-down/);
    await w.startInjector();
  });

});
