// A proxy's TapEvent, as the tap API streams it: one flat JSON object per event, with the pod
// it came from. Addresses as host:port, durations in microseconds, the stream id as
// "<base>:<stream>" (unique per proxy process). The CLI and the dashboard read this shape.
import type { TapEvent__Output } from '../../api/gen/io/linkerd/proxy/tap/TapEvent.js';
import type { Duration__Output } from '../../api/gen/google/protobuf/Duration.js';
import { decodeTcpAddress, formatHostPort } from '../../proxy/discovery/decode.js';

export interface TapEventJson {
  readonly pod: string;
  readonly namespace: string;
  readonly type: 'requestInit' | 'responseInit' | 'responseEnd';
  /** "<pod>/<base>:<stream>": unique across the merged stream. */
  readonly id: string;
  readonly direction: 'inbound' | 'outbound' | 'unknown';
  readonly source: string;
  readonly destination: string;
  readonly sourceLabels: Readonly<Record<string, string>>;
  readonly destinationLabels: Readonly<Record<string, string>>;
  readonly routeLabels: Readonly<Record<string, string>>;
  readonly tls: boolean;
  /** The resources at either end, when known ("pod/web-0", "svc/catalog"); the tapped pod is always known. */
  readonly sourceResource?: string;
  readonly destinationResource?: string;
  readonly method?: string;
  readonly scheme?: string;
  readonly authority?: string;
  readonly path?: string;
  readonly headers?: readonly [string, string][];
  readonly status?: number;
  /** Since the request started (responseInit, responseEnd). */
  readonly latencyUs?: number;
  /** responseEnd: since the response started (Linkerd's `duration`). */
  readonly durationUs?: number;
  readonly responseBytes?: number;
  readonly grpcStatus?: number;
  readonly resetCode?: number;
}

function us(d: Duration__Output | null | undefined): number {
  return d ? Math.round(Number(d.seconds) * 1e6 + d.nanos / 1e3) : 0;
}

function addr(a: TapEvent__Output['source']): string {
  const d = decodeTcpAddress(a);
  return d ? formatHostPort(d.host, d.port) : '';
}

function headerPairs(h: { headers: { name: string; value: Buffer }[] } | null | undefined): [string, string][] | undefined {
  return h ? h.headers.map((x) => [x.name, Buffer.from(x.value).toString('latin1')]) : undefined;
}

export function tapEventJson(pod: { name: string; namespace: string }, e: TapEvent__Output): TapEventJson | undefined {
  const http = e.http;
  if (!http) return undefined;
  const direction: TapEventJson['direction'] = e.proxyDirection === 'INBOUND' ? 'inbound' : e.proxyDirection === 'OUTBOUND' ? 'outbound' : 'unknown';
  const sourceLabels = e.sourceMeta?.labels ?? {};
  const destinationLabels = e.destinationMeta?.labels ?? {};
  // Linkerd's CLI shows the TLS of the side the proxy terminates: the client's for inbound.
  const tls = (direction === 'inbound' ? sourceLabels.tls : destinationLabels.tls) === 'true';
  const base = {
    pod: pod.name, namespace: pod.namespace, direction, source: addr(e.source), destination: addr(e.destination),
    sourceLabels, destinationLabels, routeLabels: e.routeMeta?.labels ?? {}, tls,
  };
  const id = (x: { base: number; stream: number | string } | null | undefined): string => `${pod.namespace}/${pod.name}/${x?.base ?? 0}:${x?.stream ?? 0}`;
  if (http.requestInit) {
    const r = http.requestInit;
    const method = r.method?.type === 'unregistered' ? (r.method.unregistered ?? '') : String(r.method?.registered ?? 'GET');
    const scheme = r.scheme?.type === 'unregistered' ? (r.scheme.unregistered ?? '') : String(r.scheme?.registered ?? 'HTTP').toLowerCase();
    const headers = headerPairs(r.headers);
    return { ...base, type: 'requestInit', id: id(r.id), method, scheme, authority: r.authority, path: r.path, ...(headers ? { headers } : {}) };
  }
  if (http.responseInit) {
    const r = http.responseInit;
    const headers = headerPairs(r.headers);
    return { ...base, type: 'responseInit', id: id(r.id), status: r.httpStatus, latencyUs: us(r.sinceRequestInit), ...(headers ? { headers } : {}) };
  }
  if (http.responseEnd) {
    const r = http.responseEnd;
    const eos = r.eos;
    return {
      ...base, type: 'responseEnd', id: id(r.id), durationUs: us(r.sinceResponseInit), latencyUs: us(r.sinceRequestInit), responseBytes: Number(r.responseBytes),
      ...(eos?.end === 'grpcStatusCode' ? { grpcStatus: eos.grpcStatusCode } : {}),
      ...(eos?.end === 'resetErrorCode' ? { resetCode: eos.resetErrorCode } : {}),
    };
  }
  return undefined;
}
