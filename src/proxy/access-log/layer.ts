// Access log (WEFT_PROXY_ACCESS_LOG=apache|json): one line per request to stderr when its
// response ends, with the fields of Linkerd's access log (client.addr, client.id, host, method,
// uri, version, status, request_bytes, response_bytes, total_ns, processing_ns, user_agent,
// timestamp, trace_id). As in Linkerd, total_ns runs to the response head and processing_ns is
// the part of it the proxy spent, not waiting on the upstream (proxy-time.ts). Off (the
// default), the layer is not in the stack at all: `accessLogH1(undefined)` returns the next
// handler itself.
import type { ServerHttp2Stream } from 'node:http2';
import type { AccessLogFormat } from '../config.js';
import type { H1Layer } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import { getHeader } from '../http/h1/headers.js';
import type { HttpRoute } from '../http/route.js';
import { ProxyTime } from './proxy-time.js';

export interface AccessRecord {
  readonly 'client.addr': string;
  readonly 'client.id': string;
  readonly host: string;
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  readonly status: number;
  readonly request_bytes: string;
  readonly response_bytes: string;
  readonly total_ns: string;
  readonly processing_ns: string;
  readonly user_agent: string;
  readonly timestamp: string;
  readonly trace_id: string;
}

export type AccessSink = (line: string) => void;

const stderrSink: AccessSink = (line) => void process.stderr.write(line + '\n');

/** Apache common log format with Linkerd's additions: identity as the user, total time at the end. */
export function formatApache(r: AccessRecord): string {
  const ua = r.user_agent.replace(/"/g, '\\"');
  return `${r['client.addr']} - ${r['client.id']} [${r.timestamp}] "${r.method} ${r.uri} ${r.version}" ${r.status} ${r.response_bytes} "${ua}" ${r.total_ns}ns`;
}

export function formatRecord(format: AccessLogFormat, r: AccessRecord): string {
  return format === 'json' ? JSON.stringify(r) : formatApache(r);
}

/**
 * The request's trace id: Linkerd's headers (x-b3-traceid, x-request-id, x-amzn-trace-id) and
 * W3C traceparent's trace-id part, which weft's tracing propagates.
 */
export function traceId(get: (name: string) => string | undefined): string {
  const b3 = get('x-b3-traceid');
  if (b3) return b3;
  const w3c = /^[0-9a-f]{2}-([0-9a-f]{32})-/.exec(get('traceparent') ?? '');
  return w3c?.[1] ?? get('x-request-id') ?? get('x-amzn-trace-id') ?? '';
}

function record(route: HttpRoute, time: ProxyTime, o: { addr: string; method: string; version: string; status: number; reqBytes: string; resBytes: number; ua: string; trace: string }): AccessRecord {
  return {
    'client.addr': o.addr || '-',
    'client.id': route.ctx.tls.clientId || '-',
    host: route.authority || '-',
    method: o.method,
    uri: route.path,
    version: o.version,
    status: o.status,
    request_bytes: o.reqBytes || '-',
    response_bytes: String(o.resBytes),
    ...time.fields(),
    user_agent: o.ua || '-',
    timestamp: new Date().toISOString(),
    trace_id: o.trace || '-',
  };
}

export function accessLogH1(format: AccessLogFormat | undefined, sink: AccessSink = stderrSink): H1Layer {
  if (!format) return (next) => next;
  return (next) => (req, res, route) => {
    let bytes = 0;
    const time = new ProxyTime(route.startMs);
    const { write, writeRaw, writeHead } = res;
    res.write = (c) => ((bytes += c.length), write.call(res, c));
    res.writeRaw = (c) => ((bytes += c.length), writeRaw.call(res, c));
    // respondError (the proxy's own answers) goes through writeHead too.
    res.writeHead = (...a) => (time.head(), writeHead.apply(res, a));
    res.onClose(() => {
      const h = req.headers;
      sink(formatRecord(format, record(route, time, {
        addr: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`, method: req.method, version: `HTTP/1.${req.minor}`,
        status: res.headersSent ? res.statusCode : 0, reqBytes: getHeader(h, 'content-length') ?? '', resBytes: bytes,
        ua: getHeader(h, 'user-agent') ?? '', trace: traceId((n) => getHeader(h, n)),
      })));
    });
    next(req, res, { ...route, upstreamClock: time });
  };
}

export function accessLogH2(format: AccessLogFormat | undefined, sink: AccessSink = stderrSink): H2Layer {
  if (!format) return (next) => next;
  return (next) => (stream: ServerHttp2Stream, headers, flags, route) => {
    let bytes = 0;
    const time = new ProxyTime(route.startMs);
    const respond = stream.respond;
    stream.respond = ((...a: Parameters<typeof respond>) => (time.head(), respond.apply(stream, a))) as typeof stream.respond;
    const write = stream.write;
    stream.write = ((c: unknown, ...rest: unknown[]) => {
      if (typeof c === 'string' || c instanceof Uint8Array) bytes += Buffer.byteLength(c);
      return (write as (...a: unknown[]) => boolean).call(stream, c, ...rest);
    }) as typeof stream.write;
    stream.once('close', () => {
      const s = stream.session?.socket;
      const one = (k: string): string => String(headers[k] ?? '');
      sink(formatRecord(format, record(route, time, {
        addr: s ? `${s.remoteAddress ?? ''}:${s.remotePort ?? ''}` : '', method: one(':method'), version: 'HTTP/2.0',
        status: Number(stream.sentHeaders?.[':status'] ?? 0), reqBytes: one('content-length'), resBytes: bytes,
        ua: one('user-agent'), trace: traceId((n) => (headers[n] === undefined ? undefined : one(n))),
      })));
    });
    next(stream, headers, flags, { ...route, upstreamClock: time });
  };
}
