// weft on a real API server, the way a user meets it: `weft install | kubectl apply -f -`, the
// injector (run on this host with the installed certificate; the API server reaches it at the
// injector pod's IP, which the test reports as a kubelet would) injecting pods at admission, the
// validator refusing a bad ServiceProfile, `weft check` passing — and failing with the right hint
// when the webhook's certificate is wrong or the injector is down —, `weft upgrade`, the
// heartbeat, and `weft uninstall | kubectl delete -f -` leaving nothing behind. The steps build
// on each other, in order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWebhookTls } from '../../src/runtime/kubernetes/webhook-tls.js';
import { k8sSkipReason, startCluster, type KubeCluster } from '../helpers/k8s-cluster.js';
import { finishTerminatingPods, markPodRunning, podsOf } from '../helpers/k8s-kubelet.js';
import { runWeft, startWeft, type WeftProcess } from '../helpers/weft-process.js';

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

describe('weft on Kubernetes: install, inject, validate, check, upgrade, uninstall', { skip, timeout: 600_000 }, () => {
  let cluster: KubeCluster;
  let dir: string;
  let injector: WeftProcess | undefined;
  const weft = (args: string[], stdin = '') => runWeft([...args, ...(args[0] === 'install' ? [] : ['--kubeconfig', cluster.kubeconfig])], stdin);
  const pod = async (ns: string, name: string): Promise<Pod> => JSON.parse(await cluster.k(['get', 'pod', name, '-n', ns, '-o', 'json'])) as Pod;
  const podYaml = (ns: string, name: string, annotations: Record<string, string> = {}, extra = ''): string =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  annotations: ${JSON.stringify(annotations)}\nspec:\n  containers: [{name: app, image: example.invalid/app:1, ports: [{containerPort: 8080}]}]\n${extra}`;

  /** The injector as its Deployment runs it, on this host, with the certificate from its Secret. */
  const startInjector = async (): Promise<WeftProcess> => {
    const secret = JSON.parse(await cluster.k(['get', 'secret', 'weft-injector-k8s-tls', '-n', 'weft', '-o', 'json'])) as { data: Record<string, string> };
    await writeFile(join(dir, 'tls.crt'), Buffer.from(secret.data['tls.crt'] as string, 'base64'));
    await writeFile(join(dir, 'tls.key'), Buffer.from(secret.data['tls.key'] as string, 'base64'), { mode: 0o600 });
    await writeFile(join(dir, 'config.yaml'), await cluster.k(['get', 'configmap', 'weft-config', '-n', 'weft', '-o', 'jsonpath={.data.config\\.yaml}']));
    return startWeft(undefined, [
      'injector', '--listen', `${cluster.hostIp}:8443`, '--tls-cert-file', join(dir, 'tls.crt'), '--tls-key-file', join(dir, 'tls.key'),
      '--config', join(dir, 'config.yaml'), '--kubeconfig', cluster.kubeconfig, '--log-level', 'debug',
    ], /listening on port/);
  };
  const restartInjector = async (): Promise<void> => {
    await injector?.stop();
    injector = await startInjector();
  };

  before(async () => {
    cluster = await startCluster();
    dir = await mkdtemp(join(tmpdir(), 'weft-k8s-e2e-'));
  });

  after(async () => {
    await injector?.stop();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
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
    for (const kind of ['deployment/weft-identity', 'deployment/weft-destination', 'deployment/weft-injector', 'service/weft-identity', 'service/weft-dst', 'service/weft-injector',
      'secret/weft-identity-issuer', 'secret/weft-injector-k8s-tls', 'configmap/weft-config', 'cronjob/weft-heartbeat']) {
      await cluster.k(['get', '-n', 'weft', kind]);
    }
    await cluster.k(['get', 'mutatingwebhookconfiguration/weft-proxy-injector-webhook-config', 'validatingwebhookconfiguration/weft-sp-validator-webhook-config',
      'crd/serviceprofiles.weft.io', 'crd/serviceprofiles.linkerd.io', 'clusterrole/weft-destination']);
    // Applying again changes nothing (kubectl says "unchanged" for every object).
    const again = await cluster.kubectl(['apply', '-f', '-'], install.stdout);
    assert.equal(again.code, 0);
    assert.doesNotMatch(again.stdout, / (created|configured)$/m, again.stdout);
  });

  test('the control plane comes up (pods reported running, as a kubelet would) and the injector serves on this host', async () => {
    for (const c of ['identity', 'destination', 'injector']) {
      for (const name of await podsOf(cluster, 'weft', `weft.io/control-plane-component=${c}`)) await markPodRunning(cluster, 'weft', name, cluster.hostIp);
    }
    await cluster.k(['wait', '-n', 'weft', '--for=condition=Available', 'deployment', '--all', '--timeout=60s']);
    injector = await startInjector();
    // The endpoint-slice controller must have listed the injector pod before the API server can call it.
    const end = Date.now() + 30_000;
    while (!(await cluster.k(['get', 'endpointslices', '-n', 'weft', '-l', 'kubernetes.io/service-name=weft-injector', '-o', 'jsonpath={.items[*].endpoints[*].addresses[*]}'])).includes(cluster.hostIp)) {
      assert.ok(Date.now() < end, 'the injector Service got no endpoint');
      await new Promise((r) => setTimeout(r, 200));
    }
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
    // The API server called our injector over TLS (the injector logged this very pod).
    assert.match(injector?.output() ?? '', /injected namespace="app" name="web-0" mode="native"/);
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
    await injector?.stop();
    injector = undefined;
    const created = await cluster.kubectl(['apply', '-f', '-'], podYaml('app', 'while-down'));
    assert.equal(created.code, 0, `failurePolicy Ignore: pod creation is not blocked: ${created.stderr}`);
    assert.deepEqual(names(await pod('app', 'while-down')), ['app']);
    const r = await weft(['check', '--proxy', '-n', 'app']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /\u00d7 the API server calls the proxy injector\n.*admitted without the proxy\n\s+hint: .*failurePolicy: Ignore/);
    assert.match(r.stdout, /\u203c pods meant to be meshed have a proxy\n\s+pods annotated for injection without a proxy:\n\s+app\/bad-ports\n\s+app\/while-down/);
    injector = await startInjector();
  });

  test('weft check fails with the right hint when the webhook certificate is wrong; weft upgrade repairs it', async () => {
    // A certificate from another CA than the webhooks' caBundle (as after a botched renewal).
    const other = await generateWebhookTls('cluster.local');
    const secret = `apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata: {name: weft-injector-k8s-tls, namespace: weft, labels: {app.kubernetes.io/part-of: weft}}
data: {ca.crt: ${Buffer.from(other.caPem).toString('base64')}, tls.crt: ${Buffer.from(other.cert.certPem).toString('base64')}, tls.key: ${Buffer.from(other.cert.keyPem).toString('base64')}}
`;
    await cluster.k(['apply', '-f', '-'], secret);
    await restartInjector();
    const r = await weft(['check']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /\u00d7 webhook configurations' caBundle matches the injector certificate\n\s+the injector's certificate is not signed by the caBundle of: weft-proxy-injector\.weft\.io, weft-sp-validator\.weft\.io\n\s+hint: the API server will refuse the injector's TLS: weft upgrade \| kubectl apply -f -/);
    assert.match(r.stdout, /\u00d7 the API server calls the proxy injector/, 'and the API server really could not call it');
    assert.match(r.stdout, /\u00d7 the API server calls the ServiceProfile validator/);

    // weft upgrade keeps the (valid) certificate in the Secret and rewrites the caBundles to match.
    const diff = await weft(['upgrade', '--diff']);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /~ MutatingWebhookConfiguration weft-proxy-injector-webhook-config: webhooks\[0\]/);
    assert.match(diff.stdout, /~ ValidatingWebhookConfiguration weft-sp-validator-webhook-config: webhooks\[0\]/);
    const up = await weft(['upgrade']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await cluster.kubectl(['apply', '-f', '-'], up.stdout)).code, 0);
    const fixed = await weft(['check']);
    assert.equal(fixed.code, 0, fixed.stdout);
  });

  test('weft upgrade --diff: nothing to change after an upgrade; --ha adds replicas and budgets', async () => {
    const same = await weft(['upgrade', '--diff']);
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stdout, /^\s+[~+-] /m, same.stdout);
    const ha = await weft(['upgrade', '--diff', '--ha']);
    assert.match(ha.stdout, /~ Deployment weft\/weft-identity: spec\.replicas, spec\.strategy\.rollingUpdate\.maxUnavailable, spec\.template\.spec\.affinity/);
    assert.match(ha.stdout, /\+ PodDisruptionBudget weft\/weft-destination/);
  });

  test('weft heartbeat records the checks in the weft-heartbeat ConfigMap', async () => {
    const r = await weft(['heartbeat']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const cm = JSON.parse(await cluster.k(['get', 'configmap', 'weft-heartbeat', '-n', 'weft', '-o', 'json'])) as { data: Record<string, string> };
    assert.equal((JSON.parse(cm.data['result.json'] as string) as { success: boolean }).success, true);
    assert.match(cm.data['metrics'] as string, /^weft_heartbeat_success 1$/m);
    assert.match(cm.data['metrics'] as string, /^weft_heartbeat_checks\{result="error"\} 0$/m);
  });

  test('weft uninstall | kubectl delete -f - leaves no weft object behind', async () => {
    await injector?.stop();
    injector = undefined;
    const u = await weft(['uninstall']);
    assert.equal(u.code, 0, u.stderr);
    const del = await cluster.kubectl(['delete', '-f', '-', '--wait=false'], u.stdout);
    assert.equal(del.code, 0, del.stderr);
    // The namespace controller removes everything in the namespace, then the namespace; the
    // control plane's pods go once their kubelet confirms they stopped (we play it).
    const end = Date.now() + 60_000;
    while ((await cluster.kubectl(['get', 'namespace', 'weft'])).code === 0) {
      assert.ok(Date.now() < end, 'namespace weft still there after 60 s');
      await finishTerminatingPods(cluster, 'weft');
      await new Promise((r) => setTimeout(r, 500));
    }
    const left = await cluster.k(['get', 'all,secrets,configmaps,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings,crd,mutatingwebhookconfigurations,validatingwebhookconfigurations,poddisruptionbudgets,cronjobs',
      '-A', '-l', 'app.kubernetes.io/part-of=weft', '-o', 'name']);
    assert.equal(left.trim(), '', `left behind:\n${left}`);
    assert.doesNotMatch(await cluster.k(['get', 'crd', '-o', 'name']), /serviceprofiles/);
    assert.doesNotMatch(await cluster.k(['get', 'clusterroles,clusterrolebindings', '-o', 'name']), /weft/);
    const again = await weft(['uninstall']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /weft is not installed in this cluster/);
  });
});
