// The tap component's client for one proxy's tap port: Observe over mTLS, presenting the tap
// identity and checking that the proxy proves the identity the inventory says it has (the
// DNS-style name is sent as SNI and checked against the certificate's SANs).
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, protoDir } from '../../api/load.js';
import type { ObserveRequest } from '../../api/gen/io/linkerd/proxy/tap/ObserveRequest.js';
import type { TapEvent__Output } from '../../api/gen/io/linkerd/proxy/tap/TapEvent.js';
import { formatDnsName, parseSpiffe } from '../../lib/spiffe.js';

export interface ProxyTapTarget {
  /** host:port of the proxy's tap server. */
  readonly addr: string;
  /** The proxy's identity, spiffe://... */
  readonly identity: string;
}

interface TapClient extends grpc.Client {
  Observe(req: ObserveRequest, opts?: grpc.CallOptions): grpc.ClientReadableStream<TapEvent__Output>;
}
type TapClientCtor = new (addr: string, creds: grpc.ChannelCredentials, opts?: grpc.ChannelOptions) => TapClient;

let ctor: TapClientCtor | undefined;
function tapClientCtor(): TapClientCtor {
  if (ctor) return ctor;
  // 64-bit fields (IPv6 halves, stream ids) as exact decimal strings.
  const def = protoLoader.loadSync(join(protoDir(), 'tap.proto'), { ...LOADER_OPTIONS, longs: String, includeDirs: [protoDir()] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { io: { linkerd: { proxy: { tap: { Tap: TapClientCtor } } } } };
  ctor = pkg.io.linkerd.proxy.tap.Tap;
  return ctor;
}

export interface ObserveHandle {
  readonly stream: grpc.ClientReadableStream<TapEvent__Output>;
  close(): void;
}

/** Opens Observe on one proxy. `tls` is the tap identity's context (key, chain, trust anchors). */
export function observeProxy(target: ProxyTapTarget, tls: SecureContext, req: ObserveRequest): ObserveHandle {
  const serverName = formatDnsName(parseSpiffe(target.identity));
  const Client = tapClientCtor();
  const client = new Client(target.addr, grpc.credentials.createFromSecureContext(tls), {
    'grpc.ssl_target_name_override': serverName,
    'grpc.default_authority': serverName,
  });
  const stream = client.Observe(req);
  stream.on('close', () => client.close());
  stream.on('error', () => client.close());
  return {
    stream,
    close() {
      stream.cancel();
      client.close();
    },
  };
}
