// The Destination gRPC service (io.linkerd.proxy.destination.Destination), over a Store.
// Answers for unknown names (documented in docs/destination.md):
//   Get        -> `no_endpoints{exists: false}` at once, stream kept open (an `add` follows if
//                 the service appears): a Linkerd-style client falls back to the original
//                 destination and keeps watching.
//   GetProfile -> for a name, gRPC NOT_FOUND: there is no profile to apply; the proxy uses the
//                 original destination without routes. For an IP, as Linkerd: a profile whose
//                 `endpoint` is that address (translate.ts, ipProfile).
// A bad authority (neither a service name nor IP:port) is INVALID_ARGUMENT for both.
import * as grpc from '@grpc/grpc-js';
import { loadProto } from '../../api/load.js';
import type { GetDestination__Output } from '../../api/gen/io/linkerd/proxy/destination/GetDestination.js';
import type { Update } from '../../api/gen/io/linkerd/proxy/destination/Update.js';
import type { DestinationProfile } from '../../api/gen/io/linkerd/proxy/destination/DestinationProfile.js';
import type { DestinationHandlers } from '../../api/gen/io/linkerd/proxy/destination/Destination.js';
import type { ProtoGrpcType } from '../../api/gen/destination.js';
import type { ProtoGrpcType as InboundProto } from '../../api/gen/inbound.js';
import type { ProtoGrpcType as OutboundProto } from '../../api/gen/outbound.js';
import type { Logger } from '../../lib/log.js';
import type { Store } from '../store/types.js';
import { ClusterState, svcKey } from './cluster-state.js';
import { namespaceFromContextToken, parseTarget } from './authority.js';
import type { Target } from './authority.js';
import { ipEndpoints, ipProfile, serviceEndpoints, serviceProfile } from './translate.js';
import type { EndpointSet } from './translate.js';
import { EndpointTopic, ProfileTopic } from './topics.js';
import { PolicyService } from '../policy/service.js';
import type { PolicyOptions } from '../policy/service.js';

export interface DestinationOptions {
  readonly trustDomain: string;
  readonly clusterDomain: string;
  readonly defaultNamespace: string;
  /** The policy API served beside Destination (default inbound policy, cluster networks). */
  readonly policy?: Partial<PolicyOptions>;
}

export const DEFAULT_DESTINATION_OPTIONS: DestinationOptions = Object.freeze({
  trustDomain: 'cluster.local',
  clusterDomain: 'cluster.local',
  defaultNamespace: 'default',
});

type Topic = EndpointTopic | ProfileTopic;

export class DestinationService {
  readonly state: ClusterState;
  private readonly topics = new Map<string, Topic>();
  /** service key -> topic keys to refresh when it changes; IP topics refresh on every change. */
  private readonly byService = new Map<string, Set<string>>();
  private readonly ipTopics = new Set<string>();
  private readonly opts: DestinationOptions;

  get options(): DestinationOptions {
    return this.opts;
  }

  constructor(store: Store, opts: Partial<DestinationOptions> = {}, private readonly log?: Logger) {
    this.opts = Object.freeze({ ...DEFAULT_DESTINATION_OPTIONS, ...opts });
    this.state = new ClusterState(store);
    this.state.onChange((keys) => {
      for (const k of keys) for (const t of this.byService.get(k) ?? []) this.topics.get(t)?.refresh();
      for (const t of this.ipTopics) this.topics.get(t)?.refresh();
    });
  }

  /** Watched targets with at least one subscriber (metrics, tests). */
  get topicCount(): number {
    return this.topics.size;
  }

  private target(req: GetDestination__Output): Target | undefined {
    return parseTarget(req.path, this.opts, namespaceFromContextToken(req.contextToken));
  }

  private topic<T extends Topic>(key: string, t: Target, make: () => T): T {
    let topic = this.topics.get(key) as T | undefined;
    if (!topic) {
      topic = make();
      this.topics.set(key, topic);
      if (t.kind === 'ip') this.ipTopics.add(key);
      else {
        const sk = svcKey(t.namespace, t.name);
        let s = this.byService.get(sk);
        if (!s) this.byService.set(sk, (s = new Set()));
        s.add(key);
      }
    }
    return topic;
  }

  private release(key: string, t: Target, topic: Topic): void {
    // A later subscriber may already have a new topic under this key: leave that one alone.
    if (topic.sinks.size > 0 || this.topics.get(key) !== topic) return;
    this.topics.delete(key);
    this.ipTopics.delete(key);
    if (t.kind === 'service') this.byService.get(svcKey(t.namespace, t.name))?.delete(key);
  }

  /** Subscribes to endpoint updates; the first update is delivered synchronously. Returns unsubscribe. */
  watchEndpoints(t: Target, sink: (u: Update) => void): () => void {
    const key = t.kind === 'ip' ? `get ip ${t.ip} ${t.port}` : `get svc ${t.namespace}/${t.name} ${t.port}`;
    const compute = (): EndpointSet =>
      t.kind === 'ip' ? ipEndpoints(this.state, t.ip, t.port, this.opts) : serviceEndpoints(this.state, t.namespace, t.name, t.port, this.opts);
    const topic = this.topic(key, t, () => new EndpointTopic(compute(), compute));
    topic.subscribe(sink);
    return () => {
      topic.sinks.delete(sink);
      this.release(key, t, topic);
    };
  }

  /** Subscribes to profile updates (undefined = the target does not exist). Returns unsubscribe. */
  watchProfile(t: Target, sink: (p: DestinationProfile | undefined) => void): () => void {
    const key = t.kind === 'ip' ? `profile ip ${t.ip} ${t.port}` : `profile svc ${t.namespace}/${t.name} ${t.port}`;
    const compute = (): DestinationProfile | undefined =>
      t.kind === 'ip' ? ipProfile(this.state, t.ip, t.port, this.opts) : serviceProfile(this.state, t.namespace, t.name, t.port, this.opts);
    const topic = this.topic(key, t, () => new ProfileTopic(compute(), compute));
    topic.subscribe(sink);
    return () => {
      topic.sinks.delete(sink);
      this.release(key, t, topic);
    };
  }

  handlers(): DestinationHandlers {
    return {
      Get: (call) => {
        const t = this.target(call.request);
        if (!t) return fail(call, grpc.status.INVALID_ARGUMENT, invalid(call.request.path));
        this.log?.debug('Get', { path: call.request.path });
        void this.state.ready.then(() => {
          if (call.cancelled) return;
          const stop = this.watchEndpoints(t, (u) => call.write(u));
          call.on('cancelled', stop);
          call.on('close', stop);
        });
      },
      GetProfile: (call) => {
        const t = this.target(call.request);
        if (!t) return fail(call, grpc.status.INVALID_ARGUMENT, invalid(call.request.path));
        this.log?.debug('GetProfile', { path: call.request.path });
        void this.state.ready.then(() => {
          if (call.cancelled) return;
          let stop = (): void => undefined;
          let ended = false;
          stop = this.watchProfile(t, (p) => {
            if (ended) return;
            if (p) return void call.write(p);
            ended = true;
            queueMicrotask(() => stop());
            fail(call, grpc.status.NOT_FOUND, `${call.request.path} not found`);
          });
          call.on('cancelled', stop);
          call.on('close', stop);
        });
      },
    };
  }

  close(): void {
    this.state.close();
  }
}

function invalid(path: string): string {
  return `invalid destination "${path}": expected <svc>[.<ns>[.svc.<domain>]]:<port> or <ip>:<port>`;
}

// grpc-js turns an 'error' event on a server stream into the call's status (destroy() would not).
function fail(call: grpc.ServerWritableStream<unknown, unknown>, code: grpc.status, details: string): void {
  call.emit('error', { code, details });
}

/**
 * The service definition with response serialization memoized per message object: a topic
 * writes the same Update to every subscriber, so it is encoded once, not once per proxy.
 */
function serializeOnce(def: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(def)) {
    const cache = new WeakMap<object, Buffer>();
    const encode = m.responseSerialize;
    out[name] = {
      ...m,
      responseSerialize: (v: unknown) => {
        if (typeof v !== 'object' || v === null) return encode(v);
        let b = cache.get(v);
        if (!b) cache.set(v, (b = encode(v)));
        return b;
      },
    };
  }
  return out as grpc.ServiceDefinition;
}

export interface RunningDestination {
  readonly port: number;
  readonly service: DestinationService;
  /** The inbound and outbound policy API, served on the same port. */
  readonly policy: PolicyService;
  close(): Promise<void>;
}

/** Serves the Destination API on `listen` ("host:port"; port 0 picks one). */
export async function startDestinationServer(
  store: Store,
  listen: string,
  opts: Partial<DestinationOptions> = {},
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
  log?: Logger,
): Promise<RunningDestination> {
  const proto = loadProto('destination.proto') as unknown as ProtoGrpcType;
  const service = new DestinationService(store, opts, log);
  // Channelz stays on: with 'grpc.enable_channelz': 0, grpc-js 1.14's forceShutdown() does not
  // close open sessions, and watch streams would outlive the server.
  const server = new grpc.Server();
  server.addService(serializeOnce(proto.io.linkerd.proxy.destination.Destination.service), service.handlers() as unknown as grpc.UntypedServiceImplementation);
  // The policy API on the same port, as Linkerd's destination pod serves it.
  const policy = new PolicyService(store, { trustDomain: service.options.trustDomain, clusterDomain: service.options.clusterDomain, defaultNamespace: service.options.defaultNamespace, ...opts.policy }, log?.child('policy'));
  const inbound = loadProto('inbound.proto') as unknown as InboundProto;
  const outbound = loadProto('outbound.proto') as unknown as OutboundProto;
  server.addService(serializeOnce(inbound.io.linkerd.proxy.inbound.InboundServerPolicies.service), policy.inboundHandlers() as unknown as grpc.UntypedServiceImplementation);
  server.addService(serializeOnce(outbound.io.linkerd.proxy.outbound.OutboundPolicies.service), policy.outboundHandlers() as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  await Promise.all([service.state.ready, policy.ready]);
  return {
    port,
    service,
    policy,
    close: async () => {
      service.close();
      policy.close();
      // Watch streams never end by themselves: cancel them rather than wait.
      server.forceShutdown();
    },
  };
}
