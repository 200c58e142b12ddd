// weft installed on the test API server, as the end-to-end tests need it: `weft install |
// kubectl apply -f -`, the control plane's pods reported running (as a kubelet would) at this
// host's address, and the injector run on this host with the installed certificate and config,
// where the API server calls it.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeCluster } from './k8s-cluster.js';
import { markPodRunning, podsOf } from './k8s-kubelet.js';
import { hostLock } from './host-lock.js';
import { removeWithTest } from './reaper.js';
import { runWeft, startWeft, type WeftProcess } from './weft-process.js';

export interface WeftOnCluster {
  /** `weft <args> --kubeconfig <the cluster's>` (install is offline: no flag added). */
  weft(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  readonly injector: WeftProcess | undefined;
  startInjector(): Promise<void>;
  stopInjector(): Promise<void>;
  close(): Promise<void>;
}

/** Holds the host's injector port (see host-lock.ts) until close(): one such test file at a time. */
export async function weftOn(cluster: KubeCluster): Promise<WeftOnCluster> {
  const lock = await hostLock('k8s-injector');
  const dir = await mkdtemp(join(tmpdir(), 'weft-k8s-e2e-'));
  const reaped = removeWithTest(dir);
  let injector: WeftProcess | undefined;
  const self: WeftOnCluster = {
    weft: (args, stdin = '') => runWeft([...args, ...(args[0] === 'install' ? [] : ['--kubeconfig', cluster.kubeconfig])], stdin),
    get injector() {
      return injector;
    },
    async startInjector() {
      await self.stopInjector();
      const secret = JSON.parse(await cluster.k(['get', 'secret', 'weft-injector-k8s-tls', '-n', 'weft', '-o', 'json'])) as { data: Record<string, string> };
      await writeFile(join(dir, 'tls.crt'), Buffer.from(secret.data['tls.crt'] as string, 'base64'));
      await writeFile(join(dir, 'tls.key'), Buffer.from(secret.data['tls.key'] as string, 'base64'), { mode: 0o600 });
      await writeFile(join(dir, 'config.yaml'), await cluster.k(['get', 'configmap', 'weft-config', '-n', 'weft', '-o', 'jsonpath={.data.config\\.yaml}']));
      // The injector pod's IP is this host's (see markPodRunning), port 8443 as in its Deployment.
      injector = await startWeft(undefined, [
        'injector', '--listen', `${cluster.hostIp}:8443`, '--tls-cert-file', join(dir, 'tls.crt'), '--tls-key-file', join(dir, 'tls.key'),
        '--config', join(dir, 'config.yaml'), '--kubeconfig', cluster.kubeconfig, '--log-level', 'debug',
      ], /listening on port/);
    },
    async stopInjector() {
      await injector?.stop();
      injector = undefined;
    },
    async close() {
      await self.stopInjector();
      await rm(dir, { recursive: true, force: true });
      reaped.forget();
      await lock.release();
    },
  };
  return self;
}

/** `weft install | kubectl apply -f -`; returns the manifests. */
export async function installWeft(w: WeftOnCluster, cluster: KubeCluster): Promise<string> {
  const install = await w.weft(['install']);
  assert.equal(install.code, 0, install.stderr);
  const applied = await cluster.kubectl(['apply', '-f', '-'], install.stdout);
  assert.equal(applied.code, 0, applied.stderr);
  return install.stdout;
}

/** The control plane's pods reported running and ready; the injector serving and listed as the webhook Service's endpoint. */
export async function controlPlaneUp(w: WeftOnCluster, cluster: KubeCluster): Promise<void> {
  for (const c of ['identity', 'destination', 'injector', 'tap']) {
    for (const name of await podsOf(cluster, 'weft', `weft.io/control-plane-component=${c}`)) await markPodRunning(cluster, 'weft', name, cluster.hostIp);
  }
  await cluster.k(['wait', '-n', 'weft', '--for=condition=Available', 'deployment', '--all', '--timeout=60s']);
  await w.startInjector();
  const end = Date.now() + 30_000;
  while (!(await cluster.k(['get', 'endpointslices', '-n', 'weft', '-l', 'kubernetes.io/service-name=weft-injector', '-o', 'jsonpath={.items[*].endpoints[*].addresses[*]}'])).includes(cluster.hostIp)) {
    assert.ok(Date.now() < end, 'the injector Service got no endpoint');
    await new Promise((r) => setTimeout(r, 200));
  }
}
