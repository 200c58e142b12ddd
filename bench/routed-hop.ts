// One weft hop whose traffic matches a ServiceProfile route: a `weft destination` process on a
// temporary local store (a Service with a cluster IP, one EndpointSlice naming the backend, a
// profile with one route for every path), and a proxy discovering through it. The load goes to
// the cluster IP (the proxy's default destination), so every request is discovered, routed and
// recorded per route. `costSample` is WEFT_PROXY_ROUTE_COST_SAMPLE: 0 (per-route cost off), 16
// (the default) or 1 (CPU measured on every request): the per-route cost overhead rows.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LocalStore } from '../src/control/store/local-store.js';
import { parseManifests } from '../src/control/store/manifest.js';
import { stopProcess } from './procs.js';
import { listeningPort } from './raw-watch.js';
import type { Target } from './types.js';
import { startWeftProxy } from './weft.js';
import type { Address } from '../src/lib/address.js';

const CLUSTER_IP = '10.96.200.10';

function manifests(backend: Address): string {
  return `apiVersion: v1
kind: Service
metadata: {name: backend, namespace: bench}
spec: {clusterIP: ${CLUSTER_IP}, ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: backend-0, namespace: bench, labels: {kubernetes.io/service-name: backend}}
endpoints:
- addresses: [${backend.host}]
ports: [{name: http, port: ${backend.port}}]
---
apiVersion: linkerd.io/v1alpha2
kind: ServiceProfile
metadata: {name: backend.bench.svc.cluster.local, namespace: bench}
spec:
  routes:
  - name: all
    condition: {pathRegex: "/.*"}
`;
}

export function routedHop(name: string, costSample: number, unavailable: Target['unavailable']): Target {
  return {
    name,
    usesRuntime: true,
    description: `one weft proxy discovering through \`weft destination\`, every request on a ServiceProfile route; WEFT_PROXY_ROUTE_COST_SAMPLE=${costSample}`,
    unavailable,
    start: async (ctx) => {
      const dir = await mkdtemp(join(ctx.workDir, 'store-'));
      const store = await LocalStore.open(dir, { follow: false });
      await store.apply(parseManifests(manifests(ctx.backend), 'bench.yaml'));
      const dest = spawn(process.execPath, [resolve(ctx.repoRoot, 'bin/weft.js'), 'destination', '--state-dir', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const stopDest = async (): Promise<void> => {
        dest.kill('SIGTERM');
        await new Promise((r) => (dest.exitCode === null ? dest.once('exit', r) : r(undefined)));
        await store.close();
        await rm(dir, { recursive: true, force: true });
      };
      try {
        const port = await listeningPort(dest);
        const p = await startWeftProxy(name, ctx, { outboundDst: { host: CLUSTER_IP, port: 80 } }, {
          WEFT_PROXY_DESTINATION_SVC_ADDR: `127.0.0.1:${port}`,
          WEFT_PROXY_DESTINATION_CONTEXT: '{"ns":"bench"}',
          WEFT_PROXY_ROUTE_COST_SAMPLE: String(costSample),
        });
        return { address: p.outbound, pids: [p.proc.pid], stop: async () => (await stopProcess(p.proc), await stopDest()) };
      } catch (err) {
        await stopDest();
        throw err;
      }
    },
  };
}
