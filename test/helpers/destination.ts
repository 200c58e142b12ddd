// Test helpers: a real destination server over a LocalStore in a temp state dir (restartable on
// the same port, to play a control plane that goes away and comes back), and manifests for
// services whose endpoints are test backends on 127.0.0.1 with a port each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from '../../src/lib/address.js';
import { LocalStore } from '../../src/control/store/local-store.js';
import { parseManifests } from '../../src/control/store/manifest.js';
import type { ResourceKey } from '../../src/control/store/types.js';
import { startDestinationServer, type RunningDestination } from '../../src/control/destination/server.js';
import type { ProxyHandle } from '../../src/proxy/proxy.js';
import type { After } from './http-load.js';
import { startTestProxy } from './proxy.js';

export interface TestControlPlane {
  /** "127.0.0.1:<port>", for WEFT_PROXY_DESTINATION_SVC_ADDR; stays the same across restarts. */
  readonly addr: string;
  readonly store: LocalStore;
  apply(yaml: string): Promise<void>;
  /** Replaces and removes resources in one store change (no "no endpoints" moment between). */
  commit(ops: { apply?: string; delete?: ResourceKey[] }): Promise<void>;
  /** Stops the gRPC server (streams are cancelled); the store stays. */
  stop(): Promise<void>;
  /** Starts the server again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestControlPlane(): Promise<TestControlPlane> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-disc-'));
  const store = await LocalStore.open(dir, { follow: false });
  let server: RunningDestination | undefined = await startDestinationServer(store, '127.0.0.1:0');
  const port = server.port;
  const parse = (yaml: string) => parseManifests(yaml, 'test.yaml');
  return {
    addr: `127.0.0.1:${port}`,
    store,
    apply: async (yaml) => void (await store.apply(parse(yaml))),
    commit: async (ops) => void (await store.commit({ apply: ops.apply ? parse(ops.apply) : [], delete: ops.delete ?? [] })),
    async stop() {
      await server?.close();
      server = undefined;
    },
    async start() {
      if (!server) server = await startDestinationServer(store, `127.0.0.1:${port}`);
    },
    async close() {
      await server?.close();
      server = undefined;
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A Service with one HTTP port (named `http`), and a cluster IP if given. */
export function serviceYaml(ns: string, name: string, port = 80, clusterIP?: string): string {
  return `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:${clusterIP ? `\n  clusterIP: ${clusterIP}` : ''}
  ports: [{name: http, port: ${port}}]
---
`;
}

/**
 * One EndpointSlice per backend: a slice's ports apply to all its addresses, and every test
 * backend is 127.0.0.1 with its own port. No Pod targetRef, so the endpoint is not meshed
 * (plaintext, no identity to verify).
 */
export function sliceYaml(ns: string, service: string, sliceName: string, backend: Address): string {
  return `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${sliceName}
  namespace: ${ns}
  labels: {kubernetes.io/service-name: ${service}}
endpoints:
- addresses: [${backend.host}]
ports: [{name: http, port: ${backend.port}}]
---
`;
}

export const sliceKey = (ns: string, name: string): ResourceKey => ({ kind: 'EndpointSlice', namespace: ns, name });

/** A Service and one slice per backend (`<name>-0`, `<name>-1`, ...). */
export function serviceWithBackends(ns: string, name: string, backends: readonly Address[], port = 80, clusterIP?: string): string {
  return serviceYaml(ns, name, port, clusterIP) + backends.map((b, i) => sliceYaml(ns, name, `${name}-${i}`, b)).join('');
}

export interface RouteSpec {
  readonly name: string;
  readonly pathRegex: string;
  readonly method?: string;
  readonly isRetryable?: boolean;
  /** A duration such as "200ms". */
  readonly timeout?: string;
}

export interface ProfileSpec {
  readonly routes?: readonly RouteSpec[];
  readonly dstOverrides?: ReadonlyArray<{ authority: string; weight: string }>;
  readonly retryBudget?: { retryRatio: number; minRetriesPerSecond: number; ttl: string };
}

/** A ServiceProfile for `<name>.<ns>.svc.cluster.local`; every route counts 5xx as failure. */
export function profileYaml(ns: string, name: string, spec: ProfileSpec): string {
  const routes = (spec.routes ?? []).map((r) => `
  - name: ${JSON.stringify(r.name)}
    condition: {method: ${r.method ?? 'GET'}, pathRegex: ${JSON.stringify(r.pathRegex)}}
    isRetryable: ${r.isRetryable ?? false}${r.timeout ? `\n    timeout: ${r.timeout}` : ''}
    responseClasses:
    - condition: {status: {min: 500, max: 599}}
      isFailure: true`).join('');
  const overrides = (spec.dstOverrides ?? []).map((d) => `\n  - {authority: ${d.authority}, weight: ${d.weight}}`).join('');
  const budget = spec.retryBudget
    ? `\n  retryBudget: {retryRatio: ${spec.retryBudget.retryRatio}, minRetriesPerSecond: ${spec.retryBudget.minRetriesPerSecond}, ttl: ${spec.retryBudget.ttl}}`
    : '';
  return `
apiVersion: linkerd.io/v1alpha2
kind: ServiceProfile
metadata: {name: ${name}.${ns}.svc.cluster.local, namespace: ${ns}}
spec:
  routes:${routes || ' []'}${overrides ? `\n  dstOverrides:${overrides}` : ''}${budget}
---
`;
}

/** A control plane for one test, closed after it. */
export async function controlPlaneFor(t: After): Promise<TestControlPlane> {
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  return cp;
}

/** An in-process proxy discovering through `cp` as a workload of namespace `ns`, closed after the test. */
export async function meshProxyFor(t: After, cp: TestControlPlane, ns: string, env: Record<string, string> = {}): Promise<ProxyHandle> {
  const p = await startTestProxy({ WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr, WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${ns}"}`, ...env });
  t.after(() => p.close());
  return p;
}
