// Egress (Linkerd 2.17's EgressNetwork): the outbound policy for an IP:port that is neither a
// Service nor a pod, when an EgressNetwork captures it.
//   - Which one: EgressNetworks of the client's namespace first, then those of the global egress
//     namespace (weft: the control plane's namespace, `weft`; PolicyOptions.egressNamespace).
//     Within a namespace, the most specific network wins (longest prefix; `networks` left out —
//     everything outside the cluster networks — is the least specific), then the name.
//   - What it answers, as Linkerd's controller: metadata naming the EgressNetwork (group, kind
//     EgressNetwork, name, namespace, port); the HTTPRoutes/GRPCRoutes whose parentRef is it, their
//     rules' backends the original destination (Backend.forward) unless they name Services; and a
//     default route per protocol (http-egress-allow|deny, grpc-egress-*, tcp-egress-*) whose
//     backend is the original destination — under Deny with Linkerd's refusal: an
//     HttpFailureInjector 403 / GrpcFailureInjector PERMISSION_DENIED (7), and for opaque TCP the
//     opaque route's Forbidden filter.
import type { OutboundPolicy } from '../../api/gen/io/linkerd/proxy/outbound/OutboundPolicy.js';
import type { Backend } from '../../api/gen/io/linkerd/proxy/outbound/Backend.js';
import type { HttpRoute } from '../../api/gen/io/linkerd/proxy/outbound/HttpRoute.js';
import type { GrpcRoute } from '../../api/gen/io/linkerd/proxy/outbound/GrpcRoute.js';
import { CidrSet, parseAddress, parseCidr } from '../../lib/cidr.js';
import type { Cidr } from '../../lib/cidr.js';
import { tcpAddress } from '../destination/translate.js';
import type { EgressNetwork, NetworkSpec } from '../store/policy-types.js';
import { group } from './authz.js';
import { backend, grpcRoutes, httpRoutes } from './outbound.js';
import type { Distribution, OutboundOptions, RouteParent } from './outbound.js';
import type { PolicyIndex } from './policy-index.js';
import { duration } from './route-proto.js';

export interface EgressOptions extends OutboundOptions {
  readonly clusterNetworks: readonly string[];
  /** EgressNetworks here apply to clients of every namespace (Linkerd's globalEgressNetworkNamespace). */
  readonly egressNamespace: string;
}

/** Linkerd's refusal message (the proxy adds which EgressNetwork refused). */
export const EGRESS_DENIED_MESSAGE = 'traffic not allowed';

interface CompiledNetwork {
  readonly within: CidrSet;
  readonly except: CidrSet;
  readonly prefix: number;
}

const compiled = new WeakMap<EgressNetwork, readonly CompiledNetwork[]>();
const clusterSets = new WeakMap<readonly string[], CidrSet>();

function cidrs(list: readonly string[]): Cidr[] {
  return list.flatMap((c) => parseCidr(c) ?? []);
}

function networksOf(en: EgressNetwork): readonly CompiledNetwork[] {
  let c = compiled.get(en);
  if (!c) {
    const nets: readonly NetworkSpec[] = en.spec.networks ?? [];
    c = nets.map((n) => ({ within: new CidrSet(cidrs([n.cidr])), except: new CidrSet(cidrs(n.except)), prefix: parseCidr(n.cidr)?.prefix ?? 0 }));
    compiled.set(en, c);
  }
  return c;
}

function clusterSet(networks: readonly string[]): CidrSet {
  let s = clusterSets.get(networks);
  if (!s) clusterSets.set(networks, (s = new CidrSet(cidrs(networks))));
  return s;
}

/** How specifically `en` captures the address: the matching prefix length, -1 when it does not. */
function specificity(en: EgressNetwork, addr: ReturnType<typeof parseAddress>, cluster: CidrSet): number {
  if (en.spec.networks === undefined) return cluster.hasAddress(addr) ? -1 : 0;
  let best = -1;
  for (const n of networksOf(en)) {
    if (n.prefix > best && n.within.hasAddress(addr) && !n.except.hasAddress(addr)) best = n.prefix;
  }
  return best;
}

/** Whether ip:port is an endpoint of some EndpointSlice: a pod, in the mesh, never egress. */
function isPod(index: PolicyIndex, ip: string, port: number): boolean {
  for (const s of index.endpointSlices.values()) {
    if (!s.ports.some((p) => p.port === port)) continue;
    if (s.endpoints.some((e) => e.addresses.includes(ip))) return true;
  }
  return false;
}

/** The EgressNetwork that captures ip:port for a client of `clientNs`, if any. */
export function findEgressNetwork(index: PolicyIndex, clientNs: string | undefined, ip: string, port: number, o: EgressOptions): EgressNetwork | undefined {
  if (index.egressNetworks.size === 0 || isPod(index, ip, port)) return undefined;
  const addr = parseAddress(ip);
  const cluster = clusterSet(o.clusterNetworks);
  const namespaces = clientNs && clientNs !== o.egressNamespace ? [clientNs, o.egressNamespace] : [o.egressNamespace];
  for (const ns of namespaces) {
    let best: EgressNetwork | undefined;
    let bestScore = -1;
    for (const en of index.inNamespace(index.egressNetworks, ns)) {
      const score = specificity(en, addr, cluster);
      if (score > bestScore) {
        best = en;
        bestScore = score;
      }
    }
    if (best) return best;
  }
  return undefined;
}

function metadata(en: EgressNetwork, port: number) {
  return { resource: { group: group(en.apiVersion), kind: 'EgressNetwork', name: en.metadata.name, namespace: en.metadata.namespace, port } };
}

/** The original destination, under the EgressNetwork's name (Linkerd: Backend.forward). */
function forward(en: EgressNetwork, ip: string, port: number): Backend {
  return { metadata: metadata(en, port), forward: { addr: tcpAddress(ip, port), weight: 1 }, queue: { capacity: 100, failfastTimeout: duration(3000) } };
}

function egressParent(en: EgressNetwork, clientNs: string | undefined, ip: string, port: number, o: EgressOptions): RouteParent {
  const ns = en.metadata.namespace;
  const original = (): Distribution => ({ firstAvailable: { backends: [{ backend: forward(en, ip, port), filters: [] }] } });
  return {
    namespace: ns,
    port,
    // Routes of the EgressNetwork's own namespace, or of the client's (a consumer route).
    attached: (r) => (r.metadata.namespace === ns || r.metadata.namespace === clientNs)
      && r.spec.parentRefs.some((p) => p.kind === 'EgressNetwork' && p.name === en.metadata.name
        && (p.namespace ?? r.metadata.namespace) === ns && (p.port === undefined || p.port === port)),
    backends: (refs) => {
      const services = refs.filter((r) => r.kind === 'Service' && r.weight > 0);
      if (services.length === 0) return original();
      const own = refs.filter((r) => r.kind === 'EgressNetwork' && r.weight > 0);
      return {
        randomAvailable: {
          backends: [
            ...services.map((r) => ({ backend: { backend: backend({ name: r.name, namespace: r.namespace ?? ns, port: r.port ?? port }, o), filters: [] as never[] }, weight: r.weight })),
            ...own.map((r) => ({ backend: { backend: forward(en, ip, port), filters: [] as never[] }, weight: r.weight })),
          ],
        },
      };
    },
  };
}

/** The OutboundPolicy for traffic to ip:port captured by `en`. */
export function egressPolicy(index: PolicyIndex, en: EgressNetwork, clientNs: string | undefined, ip: string, port: number, o: EgressOptions): OutboundPolicy {
  const deny = en.spec.trafficPolicy === 'Deny';
  const parent = egressParent(en, clientNs, ip, port, o);
  const original = (): Distribution => ({ firstAvailable: { backends: [{ backend: forward(en, ip, port), filters: [] }] } });
  const grpc = grpcRoutes(index, parent);
  if (grpc.length > 0) {
    const fallback: GrpcRoute = {
      metadata: { default: deny ? 'grpc-egress-deny' : 'grpc-egress-allow' },
      hosts: [],
      rules: [{ matches: [{}], filters: deny ? [{ failureInjector: { code: 7, message: EGRESS_DENIED_MESSAGE } }] : [], backends: original() }],
    };
    return { metadata: metadata(en, port), protocol: { grpc: { routes: [...grpc, fallback] } } };
  }
  const fallback: HttpRoute = {
    metadata: { default: deny ? 'http-egress-deny' : 'http-egress-allow' },
    hosts: [],
    rules: [{ matches: [{ path: { prefix: '/' } }], filters: deny ? [{ failureInjector: { status: 403, message: EGRESS_DENIED_MESSAGE } }] : [], backends: original() }],
  };
  const routes = [...httpRoutes(index, parent, o), fallback];
  const opaqueRoute = {
    metadata: { default: deny ? 'tcp-egress-deny' : 'tcp-egress-allow' },
    rules: [{ backends: original(), filters: deny ? [{ forbidden: {} }] : [] }],
  };
  return {
    metadata: metadata(en, port),
    protocol: { detect: { timeout: duration(o.detectTimeoutMs), opaque: { routes: [opaqueRoute] }, http1: { routes }, http2: { routes } } },
  };
}
