// The policy API over a Store: Linkerd's io.linkerd.proxy.inbound.InboundServerPolicies
// (GetPort, WatchPort) and io.linkerd.proxy.outbound.OutboundPolicies (Get, Watch).
//   - Watch streams get their first answer as soon as the store is loaded, then a new one
//     whenever a change alters it (recomputed once per topic, however many proxies watch it;
//     unchanged answers are not re-sent).
//   - Bad requests are INVALID_ARGUMENT (a workload that is neither `{"ns","pod"}` JSON nor
//     `ns:pod`, port 0, an unparsable authority); an outbound target that is no Service port is
//     NOT_FOUND, so the proxy falls back to the original destination — unless it is an address
//     an EgressNetwork captures (egress.ts): then that EgressNetwork's policy.
import * as grpc from '@grpc/grpc-js';
import type { InboundServerPoliciesHandlers } from '../../api/gen/io/linkerd/proxy/inbound/InboundServerPolicies.js';
import type { OutboundPoliciesHandlers } from '../../api/gen/io/linkerd/proxy/outbound/OutboundPolicies.js';
import type { TrafficSpec__Output } from '../../api/gen/io/linkerd/proxy/outbound/TrafficSpec.js';
import type { Logger } from '../../lib/log.js';
import type { Store } from '../store/types.js';
import type { DefaultPolicy } from '../store/policy-types.js';
import { namespaceFromContextToken, parseTarget } from '../destination/authority.js';
import type { Target } from '../destination/authority.js';
import { decodeTcpAddress } from '../../proxy/discovery/decode.js';
import { DEFAULT_CLUSTER_NETWORKS } from './authz.js';
import { inboundServer, parseWorkload } from './inbound.js';
import type { InboundOptions } from './inbound.js';
import { findService, outboundPolicy, serviceKey } from './outbound.js';
import { egressPolicy, findEgressNetwork } from './egress.js';
import type { EgressOptions } from './egress.js';
import { PolicyIndex } from './policy-index.js';

export interface PolicyOptions extends InboundOptions, EgressOptions {
  readonly defaultNamespace: string;
}

export const DEFAULT_POLICY_OPTIONS: PolicyOptions = Object.freeze({
  trustDomain: 'cluster.local',
  clusterDomain: 'cluster.local',
  defaultNamespace: 'default',
  clusterNetworks: DEFAULT_CLUSTER_NETWORKS,
  defaultPolicy: 'all-unauthenticated' as DefaultPolicy,
  detectTimeoutMs: 10_000,
  // The control plane's own namespace (Linkerd's default is linkerd-egress).
  egressNamespace: 'weft',
});

type Sink = (msg: object) => void;

const EGRESS_TOPIC = 'out egress ';

/** One watched answer shared by every stream asking the same question. */
class Topic {
  readonly sinks = new Set<Sink>();
  private json: string;
  constructor(private current: object | undefined, private readonly compute: () => object | undefined) {
    this.json = JSON.stringify(current);
  }

  get value(): object | undefined {
    return this.current;
  }

  refresh(): void {
    const next = this.compute();
    const json = JSON.stringify(next);
    if (json === this.json) return;
    this.current = next;
    this.json = json;
    for (const s of this.sinks) s(next ?? {});
  }
}

function fail(call: { emit(ev: 'error', e: unknown): unknown }, code: grpc.status, details: string): void {
  call.emit('error', { code, details });
}

export class PolicyService {
  readonly index: PolicyIndex;
  private readonly opts: PolicyOptions;
  private readonly topics = new Map<string, Topic>();

  constructor(store: Store, opts: Partial<PolicyOptions> = {}, private readonly log?: Logger) {
    this.opts = Object.freeze({ ...DEFAULT_POLICY_OPTIONS, ...opts });
    this.index = new PolicyIndex(store);
    this.index.onChange((kinds) => {
      // EndpointSlices only tell pods from egress addresses: endpoint churn alone recomputes
      // egress answers, not every Server's and Service's.
      const endpointsOnly = kinds.size === 1 && kinds.has('EndpointSlice');
      for (const [key, t] of this.topics) if (!endpointsOnly || key.startsWith(EGRESS_TOPIC)) t.refresh();
    });
  }

  get ready(): Promise<void> {
    return this.index.ready;
  }

  /** Watched questions with at least one stream (tests, metrics). */
  get topicCount(): number {
    return this.topics.size;
  }

  private subscribe(key: string, compute: () => object | undefined, sink: Sink): () => void {
    let t = this.topics.get(key);
    if (!t) this.topics.set(key, (t = new Topic(compute(), compute)));
    const topic = t;
    topic.sinks.add(sink);
    return () => {
      topic.sinks.delete(sink);
      if (topic.sinks.size === 0 && this.topics.get(key) === topic) this.topics.delete(key);
    };
  }

  private outboundTarget(spec: TrafficSpec__Output): Target | undefined {
    if (spec.target === 'addr' || spec.addr) {
      const a = decodeTcpAddress(spec.addr);
      return a ? { kind: 'ip', ip: a.host, port: a.port } : undefined;
    }
    return parseTarget(spec.authority ?? '', this.opts, namespaceFromContextToken(spec.sourceWorkload));
  }

  inboundHandlers(): InboundServerPoliciesHandlers {
    const parse = (req: { workload: string; port: number }) => {
      const w = parseWorkload(req.workload);
      return w && req.port > 0 && req.port < 65536 ? w : undefined;
    };
    const invalid = (req: { workload: string; port: number }) => `invalid port spec: workload "${req.workload}" port ${req.port} (expected {"ns":..,"pod":..} or ns:pod, and a port)`;
    return {
      GetPort: (call, cb) => {
        const w = parse(call.request);
        if (!w) return cb({ code: grpc.status.INVALID_ARGUMENT, details: invalid(call.request) });
        void this.index.ready.then(() => cb(null, inboundServer(this.index, w, call.request.port, this.opts)));
      },
      WatchPort: (call) => {
        const w = parse(call.request);
        if (!w) return fail(call, grpc.status.INVALID_ARGUMENT, invalid(call.request));
        const port = call.request.port;
        this.log?.debug('WatchPort', { workload: call.request.workload, port });
        void this.index.ready.then(() => {
          if (call.cancelled) return;
          const stop = this.subscribe(`in ${w.namespace}/${w.pod}:${port}`, () => inboundServer(this.index, w, port, this.opts), (m) => call.write(m));
          call.write(this.topics.get(`in ${w.namespace}/${w.pod}:${port}`)?.value ?? {});
          call.on('cancelled', stop);
          call.on('close', stop);
        });
      },
    };
  }

  /**
   * An address no Service has: its EgressNetwork's policy, recomputed on every change (a Service
   * taking the address over, the EgressNetwork edited or deleted: then an empty answer, and the
   * proxy goes back to the original destination as for an address in no EgressNetwork).
   */
  private egressAnswer(clientNs: string | undefined, ip: string, port: number): { key: string; compute: () => object | undefined } | grpc.status {
    if (!findEgressNetwork(this.index, clientNs, ip, port, this.opts)) return grpc.status.NOT_FOUND;
    return {
      key: `${EGRESS_TOPIC}${clientNs ?? ''} ${ip}:${port}`,
      compute: () => {
        const sp = findService(this.index, { kind: 'ip', ip, port });
        if (sp) return outboundPolicy(this.index, sp, this.opts);
        const en = findEgressNetwork(this.index, clientNs, ip, port, this.opts);
        return en ? egressPolicy(this.index, en, clientNs, ip, port, this.opts) : undefined;
      },
    };
  }

  outboundHandlers(): OutboundPoliciesHandlers {
    const answer = (spec: TrafficSpec__Output): { key: string; compute: () => object | undefined } | grpc.status => {
      const t = this.outboundTarget(spec);
      if (!t) return grpc.status.INVALID_ARGUMENT;
      const sp = findService(this.index, t);
      if (!sp) return t.kind === 'ip' ? this.egressAnswer(namespaceFromContextToken(spec.sourceWorkload), t.ip, t.port) : grpc.status.NOT_FOUND;
      const key = `out ${serviceKey(sp)}`;
      const ns = sp.service.metadata.namespace;
      const name = sp.service.metadata.name;
      return {
        key,
        compute: () => {
          const cur = findService(this.index, { kind: 'service', namespace: ns, name, port: sp.port });
          return cur ? outboundPolicy(this.index, cur, this.opts) : undefined;
        },
      };
    };
    const describe = (spec: TrafficSpec__Output): string => spec.authority || JSON.stringify(spec.addr);
    return {
      Get: (call, cb) => {
        void this.index.ready.then(() => {
          const a = answer(call.request);
          if (typeof a === 'number') return cb({ code: a, details: `${describe(call.request)}: ${a === grpc.status.NOT_FOUND ? 'no such service port' : 'invalid target'}` });
          cb(null, a.compute() ?? {});
        });
      },
      Watch: (call) => {
        void this.index.ready.then(() => {
          if (call.cancelled) return;
          const a = answer(call.request);
          if (typeof a === 'number') return fail(call, a, `${describe(call.request)}: ${a === grpc.status.NOT_FOUND ? 'no such service port' : 'invalid target'}`);
          const stop = this.subscribe(a.key, a.compute, (m) => call.write(m));
          const first = this.topics.get(a.key)?.value;
          if (first) call.write(first);
          call.on('cancelled', stop);
          call.on('close', stop);
        });
      },
    };
  }

  close(): void {
    this.index.close();
    this.topics.clear();
  }
}
