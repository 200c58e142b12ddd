// Mesh files for local-runtime tests: Deployments running inline Node programs, Services,
// ServiceProfiles, and checks that a run left nothing behind.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { run } from '../../src/runtime/local/exec.js';
import { listLinks, listNamespaces } from '../../src/runtime/local/netns.js';
import { networkNames } from '../../src/runtime/local/plan.js';
import type { RunState } from '../../src/runtime/local/run-state.js';
import { isAlive } from '../../src/runtime/local/supervisor.js';

/** A container command: this Node running `js`. */
export const node = (js: string): string => `[${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(js)}]`;

/** An HTTP server on `port` answering its pod's name (HOSTNAME) and the path; /fail is a 500, /slow waits 120 ms. */
export const NAMED_SERVER = (port: number): string => node(
  `require('http').createServer((q, s) => { const end = () => { s.statusCode = q.url === '/fail' ? 500 : 200; s.end(process.env.HOSTNAME + ' ' + q.url + '\\n'); };` +
  ` q.url === '/slow' ? setTimeout(end, 120) : end(); }).listen(${port})`);
export const IDLE = node('setInterval(() => {}, 1e9)');

export interface DeploymentOptions {
  readonly ns?: string;
  readonly port?: number;
  readonly replicas?: number;
  readonly env?: Readonly<Record<string, string>>;
}

export function deployment(name: string, command: string, o: DeploymentOptions = {}): string {
  const env = Object.entries(o.env ?? {}).map(([k, v]) => `{ name: ${k}, value: ${JSON.stringify(v)} }`).join(', ');
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${o.ns ?? 'e2e'} }
spec:
  replicas: ${o.replicas ?? 1}
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      serviceAccountName: ${name}
      containers:
        - name: main
          command: ${command}
          ${o.port ? `ports: [{ name: main, containerPort: ${o.port} }]` : ''}
          ${env ? `env: [${env}]` : ''}
`;
}

export function service(name: string, port: number, ns = 'e2e'): string {
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${ns} }
spec:
  selector: { app: ${name} }
  ports: [{ name: main, port: ${port}, targetPort: main }]
`;
}

export function profile(name: string, routes: readonly { name: string; path: string }[], ns = 'e2e'): string {
  return `apiVersion: linkerd.io/v1alpha2
kind: ServiceProfile
metadata: { name: ${name}.${ns}.svc.cluster.local, namespace: ${ns} }
spec:
  routes:
${routes.map((r) => `    - name: ${JSON.stringify(r.name)}
      condition: { method: GET, pathRegex: ${JSON.stringify(r.path)} }
      responseClasses: [{ condition: { status: { min: 500, max: 599 } }, isFailure: true }]`).join('\n')}
`;
}

export const docs = (...d: string[]): string => d.join('---\n');

/** Asserts a run left nothing: namespaces, links, hosts files, rules, processes, its run dir. */
export async function assertGone(state: RunState): Promise<void> {
  const net = state.networkIndex === undefined ? undefined : networkNames(state.networkIndex);
  if (net) {
    assert.deepEqual((await listNamespaces()).filter((n) => n.startsWith(net.netnsPrefix)), []);
    assert.deepEqual((await listLinks()).filter((l) => l.startsWith(net.vethPrefix) || l === net.bridge), []);
    for (const w of state.workloads) assert.equal(existsSync(`/etc/netns/${w.netns}`), false);
    const { stdout } = await run('iptables-save', ['-t', 'nat']);
    assert.doesNotMatch(stdout, /WEFT_/);
  }
  // With their start times: a pid reused since by someone else's process is not ours.
  const procs = [state.supervisor, state.control, state.prometheus, ...state.workloads.flatMap((w) => [w.app, w.proxy])];
  for (const p of procs) if (p) assert.equal(isAlive(p.pid, p.startTime), false, `pid ${p.pid} (${p.log}) still running`);
  assert.equal(existsSync(state.runDir), false);
}
