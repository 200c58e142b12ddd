// A Destination client built from Linkerd's own published definitions
// (test/fixtures/linkerd-proxy-api, copied from linkerd2-proxy-api), not from weft's copy in
// src/api/proto: what these tests decode is what a Linkerd proxy would read, field number for
// field number. Names are Linkerd's snake_case (keepCase) and fields left at their zero value
// are absent (defaults: false), so "not sent" and "sent as 0" cannot be confused.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

// dist/test/control/destination -> test/fixtures/linkerd-proxy-api
const here = dirname(fileURLToPath(import.meta.url));
export const LINKERD_PROTO_DIR = join(here, '..', '..', '..', '..', 'test', 'fixtures', 'linkerd-proxy-api');

export const LINKERD_LOADER: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true, includeDirs: [LINKERD_PROTO_DIR] };

/** The message types of Linkerd's destination.proto, for encoding and decoding without a call. */
export function linkerdTypes(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(join(LINKERD_PROTO_DIR, 'destination.proto'), LINKERD_LOADER);
}

// The parts of Linkerd's messages the tests read (destination.proto, net.proto).
export interface LTcpAddress { ip?: { ipv4?: number }; port?: number }
export interface LProtocolHint { protocol?: string; h2?: object; opaque?: object; opaque_transport?: { inbound_port?: number } }
export interface LWeightedAddr {
  addr?: LTcpAddress;
  weight?: number;
  metric_labels?: Record<string, string>;
  tls_identity?: { uri_like_identity?: { uri?: string }; server_name?: { name?: string } };
  protocol_hint?: LProtocolHint;
}
export interface LUpdate { update?: string; add?: { addrs?: LWeightedAddr[] }; no_endpoints?: { exists?: boolean } }
export interface LStatusRange { min?: number; max?: number }
export interface LResponseMatch { match?: string; status?: LStatusRange; any?: { matches?: LResponseMatch[] } }
export interface LRoute { response_classes?: { condition?: LResponseMatch; is_failure?: boolean }[]; metrics_labels?: Record<string, string> }
export interface LRetryBudget { retry_ratio?: number; min_retries_per_second?: number; ttl?: { seconds?: string; nanos?: number } }
export interface LProfile {
  fully_qualified_name?: string;
  opaque_protocol?: boolean;
  routes?: LRoute[];
  retry_budget?: LRetryBudget;
  dst_overrides?: unknown[];
  endpoint?: LWeightedAddr;
}

export interface LinkerdDestinationClient extends grpc.Client {
  Get(req: { path: string; context_token?: string }): grpc.ClientReadableStream<LUpdate>;
  GetProfile(req: { path: string; context_token?: string }): grpc.ClientReadableStream<LProfile>;
}

export function linkerdDestinationClient(port: number): LinkerdDestinationClient {
  const pkg = grpc.loadPackageDefinition(linkerdTypes()) as unknown as {
    io: { linkerd: { proxy: { destination: { Destination: new (addr: string, creds: grpc.ChannelCredentials) => LinkerdDestinationClient } } } };
  };
  return new pkg.io.linkerd.proxy.destination.Destination(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}
