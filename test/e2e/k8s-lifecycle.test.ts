// test-timeout: 600000
// weft's life on a cluster after install: `weft check` failing with the right hint when the
// webhook certificate is wrong (the API server really cannot call the injector) and `weft
// upgrade` repairing it, upgrade's change list (none after an upgrade; --ha), the heartbeat
// recording the checks, and `weft uninstall | kubectl delete -f -` leaving nothing behind.
// Against the local test API server, the injector on this host (test/helpers/k8s-weft.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWebhookTls } from '../../src/runtime/kubernetes/webhook-tls.js';
import { k8sSkipReason, startCluster, type KubeCluster } from '../helpers/k8s-cluster.js';
import { finishTerminatingPods } from '../helpers/k8s-kubelet.js';
import { controlPlaneUp, installWeft, weftOn, type WeftOnCluster } from '../helpers/k8s-weft.js';

const skip = k8sSkipReason() ?? (process.env.KUBECONFIG ? 'needs the local test API server (KUBECONFIG names another cluster)' : undefined);

describe('weft on Kubernetes: wrong webhook certificate, upgrade, heartbeat, uninstall', { skip, timeout: 300_000 /* may wait for the other k8s e2e file's lock */ }, () => {
  let cluster: KubeCluster;
  let w: WeftOnCluster;
  const weft = (args: string[], stdin = '') => w.weft(args, stdin);

  before(async () => {
    cluster = await startCluster();
    w = await weftOn(cluster);
    await installWeft(w, cluster);
    await controlPlaneUp(w, cluster);
  });

  after(async () => {
    await w?.close();
    await cluster?.stop();
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
    await w.startInjector();
    const r = await weft(['check']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /\u00d7 webhook configurations' caBundle matches the injector certificate\n\s+the injector's certificate is not signed by the caBundle of: weft-proxy-injector\.weft\.io, weft-sp-validator\.weft\.io, weft-policy-validator\.weft\.io\n\s+hint: the API server will refuse the injector's TLS: weft upgrade \| kubectl apply -f -/);
    assert.match(r.stdout, /\u00d7 the API server calls the proxy injector/, 'and the API server really could not call it');
    assert.match(r.stdout, /\u00d7 the API server calls the ServiceProfile validator/);
    assert.match(r.stdout, /\u00d7 the API server calls the policy validator/);

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

  test('weft check names a missing policy CRD (an install older than policy) with the fix', async () => {
    await cluster.k(['delete', 'crd', 'authorizationpolicies.policy.weft.io']);
    const r = await weft(['check']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /\u00d7 the API server calls the policy validator\n\s+CRD authorizationpolicies\.policy\.weft\.io is not installed\n\s+hint: weft upgrade \| kubectl apply -f - installs it/);
    const crds = await weft(['install', '--crds']);
    await cluster.k(['apply', '-f', '-'], crds.stdout);
    await cluster.k(['wait', '--for=condition=Established', 'crd/authorizationpolicies.policy.weft.io', '--timeout=30s']);
    const fixed = await weft(['check']);
    assert.equal(fixed.code, 0, fixed.stdout);
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
    await w.stopInjector();
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
