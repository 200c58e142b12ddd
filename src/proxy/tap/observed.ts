// One request that at least one tap claimed: sends its three events (request init, response
// init, response end) to each claiming tap, with headers only to the taps that asked for them,
// and releases the taps when the request is over.
import { performance } from 'node:perf_hooks';
import type { TapEvent } from '../../api/gen/io/linkerd/proxy/tap/TapEvent.js';
import type { ConnContext } from '../context.js';
import type { HttpRoute } from '../http/route.js';
import type { Address } from '../../lib/address.js';
import { eventBase, requestInit, responseEnd, responseInit, type Eos, type Headers, type StreamId } from './events.js';
import type { TapRequestInfo } from './match.js';
import type { Tap, Taps } from './taps.js';

/** The request as a tap sees it: addresses, TLS labels, route labels, method and target. */
export function describeRequest(route: HttpRoute, method: string, source: Address | undefined, local: Address | undefined): TapRequestInfo {
  const ctx: ConnContext = route.ctx;
  const meshedIn = ctx.tls.tls === 'true';
  const inbound = ctx.direction === 'inbound';
  const tlsLabel = (yes: boolean): string => (yes ? 'true' : ctx.tls.noTlsReason || 'no_identity');
  return {
    direction: ctx.direction,
    source,
    // Inbound: the address the client reached (the pod's), with the app's port; outbound: the
    // destination as addressed (the service; the endpoint is picked per attempt below).
    destination: inbound ? (local && route.target ? { host: local.host, port: route.target.port } : (local ?? route.target)) : route.target,
    sourceLabels: inbound ? { tls: tlsLabel(meshedIn), ...(ctx.tls.clientId ? { client_id: ctx.tls.clientId } : {}) } : {},
    destinationLabels: inbound
      ? { tls: tlsLabel(meshedIn), ...(ctx.tls.serverId ? { server_id: ctx.tls.serverId } : {}) }
      : { tls: route.identity ? 'true' : 'no_identity', ...(route.identity ? { server_id: route.identity } : {}), authority: route.authority },
    routeLabels: route.routeName ? { route: route.routeName } : {},
    method: method.toUpperCase(),
    scheme: 'http',
    authority: route.authority,
    path: route.path,
  };
}

export class ObservedRequest {
  private readonly base: Omit<TapEvent, 'http'>;
  private readonly id: StreamId;
  private responseAtMs: number | undefined;
  bytes = 0;

  private constructor(
    private readonly taps: readonly Tap[],
    private readonly info: TapRequestInfo,
    private readonly startMs: number,
    ids: Taps,
  ) {
    this.base = eventBase(info);
    this.id = ids.nextId();
  }

  /** The claiming taps' view of this request, or undefined when no tap wants it. */
  static start(taps: Taps, info: TapRequestInfo, startMs: number, headers: () => Headers): ObservedRequest | undefined {
    const claimed = taps.claim(info);
    if (!claimed.length) return undefined;
    const o = new ObservedRequest(claimed, info, startMs, taps);
    o.send((h) => requestInit(o.base, o.id, info, h ? headers() : undefined));
    return o;
  }

  responseStarted(status: number, headers: () => Headers): void {
    if (this.responseAtMs !== undefined) return;
    this.responseAtMs = performance.now();
    const since = this.responseAtMs - this.startMs;
    this.send((h) => responseInit(this.base, this.id, since, status, h ? headers() : undefined));
  }

  ended(eos: Eos, trailers?: () => Headers): void {
    const now = performance.now();
    const o = { sinceRequestMs: now - this.startMs, sinceResponseMs: this.responseAtMs === undefined ? 0 : now - this.responseAtMs, bytes: this.bytes, eos };
    this.send((h) => responseEnd(this.base, this.id, h && trailers ? { ...o, trailers: trailers() } : o));
    for (const t of this.taps) t.release();
  }

  get request(): TapRequestInfo {
    return this.info;
  }

  private send(build: (withHeaders: boolean) => TapEvent): void {
    let plain: TapEvent | undefined;
    let full: TapEvent | undefined;
    for (const t of this.taps) t.emit(t.opts.headers ? (full ??= build(true)) : (plain ??= build(false)));
  }
}
