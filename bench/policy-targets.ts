// What inbound policy costs on the hop: one weft proxy's inbound listener in front of the
// backend, with its port's policy from a real `weft destination` (local store, the policy API
// the proxy watches) — none at all (the authorization layers left out), or a Server with 0, 10
// or 100 AuthorizationPolicies, and 100 HTTPRoutes besides. The load generator is a plaintext
// client on 127.0.0.1, so every policy that could let it in but does not (a NetworkAuthentication
// of another network) is checked before the one that does, named last (`zz-allow`): the cost of a
// request is the worst case of the list. With routes, the request's path matches only the
// catch-all route, after the 100 exact paths were tried.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStore } from '../src/control/store/local-store.js';
import { parseManifests } from '../src/control/store/manifest.js';
import { freePort, startProcess, stopProcess, tcpOpen, waitUntil, type Proc } from './procs.js';
import type { Target, TargetContext } from './types.js';
import { startWeftProxy, weftUnavailable } from './weft.js';

const NS = 'bench';

/** The store's contents: a pod whose port is the backend's, a Server on it, policies, routes. */
export function policyManifests(backendPort: number, authzs: number, routes: number): string {
  const docs: string[] = [
    `apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: ${NS}, labels: {app: api}}
spec: {containers: [{name: app, ports: [{name: http, containerPort: ${backendPort}}]}]}`,
    // Without policies the Server's own accessPolicy admits everyone; with them, only they do.
    `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api, namespace: ${NS}}
spec: {podSelector: {matchLabels: {app: api}}, port: http, accessPolicy: ${authzs === 0 ? 'all-unauthenticated' : 'deny'}}`,
  ];
  for (let i = 0; i < authzs; i++) {
    const last = i === authzs - 1;
    const name = last ? 'zz-allow' : `net-${String(i).padStart(3, '0')}`;
    docs.push(`apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: ${name}, namespace: ${NS}}
spec: {networks: [{cidr: ${last ? '127.0.0.0/8' : `10.${i}.0.0/16`}}]}`);
    docs.push(`apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${NS}}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: api}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: NetworkAuthentication, name: ${name}}]`);
  }
  for (let i = 0; i < routes; i++) {
    const last = i === routes - 1;
    const match = last ? '{path: {type: PathPrefix, value: /}}' : `{path: {type: Exact, value: /api/r${i}}, method: GET}`;
    docs.push(`apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: ${last ? 'zz-all' : `r-${String(i).padStart(3, '0')}`}, namespace: ${NS}}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api}]
  rules: [{matches: [${match}]}]`);
  }
  return docs.join('\n---\n') + '\n';
}

async function getText(url: string): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return r.text();
}

/** `weft destination` on a fresh local store holding the manifests. */
async function startPolicyApi(ctx: TargetContext, manifests: string): Promise<{ proc: Proc; addr: string }> {
  const dir = join(ctx.workDir, 'state');
  mkdirSync(dir, { recursive: true });
  const store = await LocalStore.open(dir, { follow: false });
  try {
    await store.apply(parseManifests(manifests, 'policy-bench.yaml'));
  } finally {
    await store.close();
  }
  const port = await freePort();
  const proc = startProcess('destination', process.execPath, [join(ctx.repoRoot, 'bin/weft.js'), 'destination', '--state-dir', dir, '--listen', `127.0.0.1:${port}`], {
    cwd: ctx.repoRoot, logPath: join(ctx.workDir, 'destination.log'),
  });
  try {
    await waitUntil('destination', () => tcpOpen(port), 15_000, proc);
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
  return { proc, addr: `127.0.0.1:${port}` };
}

/** The inbound hop; `policy` undefined: no policy API at all (the layers are left out). */
function inboundTarget(name: string, description: string, policy: { authzs: number; routes: number } | undefined): Target {
  return {
    name,
    description,
    usesRuntime: true,
    unavailable: weftUnavailable,
    start: async (ctx) => {
      const api = policy ? await startPolicyApi(ctx, policyManifests(ctx.backend.port, policy.authzs, policy.routes)) : undefined;
      try {
        const env: Record<string, string> = api ? { WEFT_PROXY_POLICY_SVC_ADDR: api.addr, WEFT_PROXY_POLICY_WORKLOAD: JSON.stringify({ ns: NS, pod: 'api-0' }) } : {};
        const p = await startWeftProxy(name, ctx, { inboundDst: ctx.backend }, env);
        if (policy) {
          // Measure under the Server's policy, not the default the proxy applies before it.
          const allowedBy = policy.authzs === 0 ? 'authz_name="all-unauthenticated"' : 'authz_name="zz-allow"';
          await waitUntil(`${name}: the Server's policy in force`, async () => {
            await getText(`http://${p.inbound.host}:${p.inbound.port}/`);
            const metrics = await getText(`http://${p.admin.host}:${p.admin.port}/metrics`);
            return metrics.includes('srv_name="api"') && metrics.includes(allowedBy);
          }, 15_000, p.proc, 200);
        }
        return {
          address: p.inbound,
          pids: [p.proc.pid],
          stop: async () => {
            await stopProcess(p.proc);
            if (api) await stopProcess(api.proc);
          },
        };
      } catch (err) {
        if (api) await stopProcess(api.proc);
        throw err;
      }
    },
  };
}

/** Asked for by name (--targets): they answer what policy costs, not every run's question. */
export const POLICY_TARGETS: readonly Target[] = [
  inboundTarget('weft-inbound', "one weft proxy's inbound listener in front of the backend, no policy API (authorization layers left out)", undefined),
  inboundTarget('weft-inbound-authz-0', 'the inbound hop under a Server whose accessPolicy admits everyone: per-request policy lookup and route match, no AuthorizationPolicy', { authzs: 0, routes: 0 }),
  inboundTarget('weft-inbound-authz-10', 'the inbound hop under a Server with 10 AuthorizationPolicies (NetworkAuthentication); the admitting one checked last', { authzs: 10, routes: 0 }),
  inboundTarget('weft-inbound-authz-100', 'the inbound hop under a Server with 100 AuthorizationPolicies; the admitting one checked last', { authzs: 100, routes: 0 }),
  inboundTarget('weft-inbound-authz-100-routes-100', '100 AuthorizationPolicies and 100 HTTPRoutes on the Server: the request matches only the catch-all route', { authzs: 100, routes: 100 }),
];
