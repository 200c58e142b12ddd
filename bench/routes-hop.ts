// The cost of outbound routing by an OutboundPolicy: one weft proxy whose target (the backend,
// as a Service with the backend's address as its cluster IP) has an HTTPRoute of `n` rules, the
// matching one last, so each request is matched against all of them. With n = 1 it is the
// baseline for the same path (discovery, policy watch, balancer) without the matching. The
// destination + policy server runs in the bench process over a LocalStore in the work directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalStore } from '../src/control/store/local-store.js';
import { parseManifests } from '../src/control/store/manifest.js';
import { startDestinationServer } from '../src/control/destination/server.js';
import { stopProcess } from './procs.js';
import type { Target } from './types.js';
import { startWeftProxy } from './weft.js';

function manifests(ip: string, port: number, n: number): string {
  const rules = Array.from({ length: n - 1 }, (_, i) => `  - matches: [{path: {type: PathPrefix, value: /never-${i}}, headers: [{name: x-bench, value: "${i}"}]}]\n`).join('');
  return `
apiVersion: v1
kind: Service
metadata: {name: bench, namespace: bench}
spec: {clusterIP: ${ip}, ports: [{name: http, port: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: bench-0, namespace: bench, labels: {kubernetes.io/service-name: bench}}
endpoints: [{addresses: [${ip}]}]
ports: [{name: http, port: ${port}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bench-routes, namespace: bench}
spec:
  parentRefs: [{group: core, kind: Service, name: bench}]
  rules:
${rules}  - matches: [{path: {type: PathPrefix, value: /}}]
`;
}

export function routesHop(name: string, n: number): Target {
  return {
    name,
    usesRuntime: true,
    description: `one weft proxy routing by an OutboundPolicy: an HTTPRoute of ${n} rules on the target's Service, the matching rule last`,
    unavailable: () => undefined,
    start: async (ctx) => {
      const dir = await mkdtemp(join(ctx.workDir, 'routes-'));
      const store = await LocalStore.open(dir, { follow: false });
      await store.apply(parseManifests(manifests(ctx.backend.host, ctx.backend.port, n), 'bench-routes.yaml'));
      const control = await startDestinationServer(store, '127.0.0.1:0');
      try {
        const p = await startWeftProxy(name, ctx, { outboundDst: ctx.backend }, { WEFT_PROXY_DESTINATION_SVC_ADDR: `127.0.0.1:${control.port}` });
        return {
          address: p.outbound,
          pids: [p.proc.pid],
          stop: async () => {
            await stopProcess(p.proc);
            await control.close();
            await store.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (err) {
        await control.close();
        await store.close();
        throw err;
      }
    },
  };
}
