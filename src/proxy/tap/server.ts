// The tap port (4190): io.linkerd.proxy.tap.Tap/Observe over mTLS, for the tap component only.
//
// TLS is terminated here (a tls.Server whose SNICallback hands out the identity's current
// context, so a rotated certificate is used by the next handshake), a client without a
// certificate verified by the trust anchor is cut at the handshake, and the verified connection
// is injected into a grpc-js server. Each call then checks the client's SPIFFE identity against
// WEFT_PROXY_TAP_SVC_NAME: anyone else gets PERMISSION_DENIED, naming both identities.
// Clients must send SNI (any name: the proxy's DNS-style identity is customary), as meshed
// clients do; an IP-only client gets no certificate.
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { proxyApis } from '../../api/load.js';
import type { ObserveRequest__Output } from '../../api/gen/io/linkerd/proxy/tap/ObserveRequest.js';
import type { TapEvent } from '../../api/gen/io/linkerd/proxy/tap/TapEvent.js';
import type { Address } from '../../lib/address.js';
import type { Logger } from '../../lib/log.js';
import type { TlsIdentity } from '../tls/context.js';
import { spiffeFromCertificate } from '../tls/peer-identity.js';
import { compileMatch, TapMatchError } from './match.js';
import { Tap, type Taps } from './taps.js';

/** Linkerd's CLI default is 100 requests; anything above this is clamped. */
export const MAX_TAP_LIMIT = 100_000;

export interface TapServerOptions {
  readonly listen: Address;
  readonly identity: TlsIdentity;
  /** The only client identity allowed to tap (spiffe://...). */
  readonly tapIdentity: string;
  readonly taps: Taps;
  readonly maxEventsPerSecond: number;
  readonly log: Logger;
}

export interface TapServer {
  readonly address: Address;
  close(): Promise<void>;
}

type ObserveCall = grpc.ServerWritableStream<ObserveRequest__Output, TapEvent>;

function tapService(): grpc.ServiceDefinition {
  const pkg = proxyApis() as unknown as { io: { linkerd: { proxy: { tap: { Tap: { service: grpc.ServiceDefinition } } } } } };
  return pkg.io.linkerd.proxy.tap.Tap.service;
}

function fail(call: ObserveCall, code: grpc.status, details: string): void {
  call.emit('error', { code, details, metadata: new grpc.Metadata() });
}

export async function startTapServer(o: TapServerOptions): Promise<TapServer> {
  const log = o.log.child('tap');
  const grpcServer = new grpc.Server({ 'grpc.max_concurrent_streams': 32 });
  grpcServer.addService(tapService(), {
    Observe: (call: ObserveCall) => observe(call, o, log),
  });
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const sockets = new Set<Socket>();
  const tls = createTlsServer({
    SNICallback: (_name, cb) => {
      try {
        cb(null, o.identity.secureContext());
      } catch (err) {
        cb(err as Error, undefined);
      }
    },
    requestCert: true,
    rejectUnauthorized: false,
    ALPNProtocols: ['h2'],
    handshakeTimeout: 10_000,
  });
  tls.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  tls.on('secureConnection', (s: TLSSocket) => {
    if (!s.authorized) {
      log.info('tap client refused: no verified certificate', { peer: s.remoteAddress, reason: String(s.authorizationError ?? 'no certificate') });
      s.destroy();
      return;
    }
    injector.injectConnection(s);
  });
  tls.on('tlsClientError', (err: Error) => log.debug('tap TLS handshake failed', { err }));
  await new Promise<void>((resolve, reject) => {
    tls.once('error', reject);
    tls.listen(o.listen.port, o.listen.host, () => {
      tls.off('error', reject);
      resolve();
    });
  });
  const a = tls.address() as AddressInfo;
  log.info('tap listening', { addr: `${a.address}:${a.port}`, tapIdentity: o.tapIdentity });
  return {
    address: { host: a.address, port: a.port },
    close: () =>
      new Promise<void>((resolve) => {
        o.taps.closeAll();
        injector.destroy();
        for (const s of sockets) s.destroy();
        tls.close(() => resolve());
        grpcServer.forceShutdown();
      }),
  };
}

function observe(call: ObserveCall, o: TapServerOptions, log: Logger): void {
  const peerId = spiffeFromCertificate(call.getAuthContext().sslPeerCertificate);
  if (peerId !== o.tapIdentity) {
    log.info('tap refused: not the tap identity', { client: peerId ?? '(none)', expected: o.tapIdentity });
    return fail(call, grpc.status.PERMISSION_DENIED, `tap is served only to ${o.tapIdentity}; client is ${peerId ?? 'unidentified'}`);
  }
  const req = call.request;
  if (!req.limit) return fail(call, grpc.status.INVALID_ARGUMENT, 'limit must be at least 1');
  let matcher;
  try {
    matcher = compileMatch(req.match);
  } catch (err) {
    if (err instanceof TapMatchError) return fail(call, grpc.status.INVALID_ARGUMENT, err.message);
    throw err;
  }
  const tap = new Tap(
    matcher,
    { limit: Math.min(req.limit, MAX_TAP_LIMIT), maxEventsPerSecond: o.maxEventsPerSecond, headers: !!req.extract?.http?.headers },
    {
      write: (ev) => call.write(ev),
      end: () => call.end(),
      onDrain: (cb) => call.on('drain', cb),
    },
  );
  call.on('cancelled', () => tap.end(false));
  call.on('error', () => tap.end(false));
  o.taps.add(tap);
  log.debug('tap started', { limit: req.limit, client: peerId });
}
