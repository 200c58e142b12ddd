// What the one-node cluster's e2e (k8s-node.test.ts) measures of the demo's traffic while it
// changes the cluster under it: web's proxy's calls to catalog (ok and failed, cumulative),
// catalog's ready endpoints, and polling until a condition holds.
import assert from 'node:assert/strict';
import { pods, proxyMetrics, total, type PodInfo } from './k8s-pods.js';
import type { KubeCluster } from './k8s-cluster.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface CallCount {
  readonly ok: number;
  readonly failed: number;
  /** The failures by status and error, e.g. "503/undefined=2". */
  readonly why: string;
}

/** web's proxy's outbound responses from catalog: successes and failures so far. */
export async function webToCatalog(cluster: KubeCluster): Promise<CallCount> {
  const web = (await pods(cluster, 'demo', 'app=web')).find((p) => !p.deleting) as PodInfo;
  const m = (await proxyMetrics(cluster, 'demo', web.name)).filter((x) => x.labels['direction'] === 'outbound' && (x.labels['authority'] ?? '').startsWith('catalog.'));
  const failures = m.filter((x) => x.name === 'response_total' && x.labels['classification'] === 'failure');
  const why = failures.map((x) => `${x.labels['status_code']}/${x.labels['error']}=${x.value}`).join(' ');
  return { ok: total(m, 'response_total', { classification: 'success' }), failed: total(failures, 'response_total'), why };
}

/** How many catalog endpoints web's proxy's balancer routes to (catalog's only: a sum over every
 * destination also moves with voting's and the control plane's). */
export async function webBalancerForCatalog(cluster: KubeCluster): Promise<number> {
  const web = (await pods(cluster, 'demo', 'app=web')).find((p) => !p.deleting) as PodInfo;
  return total(await proxyMetrics(cluster, 'demo', web.name), 'outbound_http_balancer_endpoints', { dst: 'catalog.demo.svc.cluster.local', endpoint_state: 'ready' });
}

/** Requests catalog's (ready) proxies answered over mTLS to the client with this identity. */
export async function catalogServedOverMtls(cluster: KubeCluster, clientId: string): Promise<number> {
  let n = 0;
  for (const p of (await pods(cluster, 'demo', 'app=catalog')).filter((x) => x.ready && !x.deleting)) {
    n += total(await proxyMetrics(cluster, 'demo', p.name), 'response_total', { direction: 'inbound', tls: 'true', client_id: clientId });
  }
  return n;
}

/** The addresses of catalog's ready endpoints, space-separated. */
export async function catalogEndpoints(cluster: KubeCluster): Promise<string> {
  return cluster.k(['get', 'endpointslices', '-n', 'demo', '-l', 'kubernetes.io/service-name=catalog', '-o', 'jsonpath={range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]} {end}']);
}

/** Polls `f` every half second until it answers true; fails the test after `ms`. */
export async function until(what: string, f: () => Promise<boolean>, ms = 120_000): Promise<void> {
  for (const end = Date.now() + ms; !(await f());) {
    assert.ok(Date.now() < end, `${what}: not after ${ms / 1000} s`);
    await sleep(500);
  }
}

/** A Job's final condition (Complete or Failed) once it has one, else undefined. */
export async function jobOutcome(cluster: KubeCluster, namespace: string, name: string): Promise<'Complete' | 'Failed' | undefined> {
  const types = (await cluster.k(['get', 'job', '-n', namespace, name, '-o', 'jsonpath={.status.conditions[?(@.status=="True")].type}'])).split(/\s+/);
  return types.includes('Complete') ? 'Complete' : types.includes('Failed') ? 'Failed' : undefined;
}

/** Waits for a Job to finish; fails with its pods' logs if it failed or ran out of time. */
export async function jobCompletes(cluster: KubeCluster, namespace: string, name: string, ms: number): Promise<void> {
  let outcome: 'Complete' | 'Failed' | undefined;
  const logs = async (): Promise<string> => (await cluster.kubectl(['logs', '-n', namespace, `job/${name}`, '--all-containers', '--tail=40'])).stdout;
  try {
    await until(`job ${namespace}/${name} finished`, async () => (outcome = await jobOutcome(cluster, namespace, name)) !== undefined, ms);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await logs()}`, { cause: err });
  }
  assert.equal(outcome, 'Complete', `job ${namespace}/${name} failed:\n${await logs()}`);
}
