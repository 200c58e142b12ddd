// The trace layers: for each HTTP request, read the caller's trace context, give this hop a span
// (the request goes on with that span as its parent, in the header forms it came with), and when
// the response ends record the span with the attributes Linkerd's proxy sets (direction, method,
// path, authority, status, peer identities). A request without a context and not sampled to
// start one passes untouched. Not in the stack at all when tracing is off.
import http2 from 'node:http2';
import type { H1Layer } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import { getHeader, setHeader } from '../http/h1/headers.js';
import type { HttpRoute } from '../http/route.js';
import type { SpanRecord } from './otlp.js';
import { extract, inject } from './propagation.js';
import type { Hop, Tracer } from './tracer.js';
import { nowNs } from './tracer.js';

function record(hop: Hop, route: HttpRoute, method: string, status: number, ok: boolean, startNs: bigint): SpanRecord {
  const direction = route.ctx.direction;
  const attributes: Record<string, string | number> = {
    direction, 'http.method': method, 'http.path': route.path.split('?')[0] ?? '/', 'http.authority': route.authority, 'http.status_code': status,
  };
  if (route.target) attributes['net.peer.name'] = `${route.target.host}:${route.target.port}`;
  // The peer identities mTLS proved: the client's on inbound, the server's on outbound.
  if (direction === 'inbound' && route.ctx.tls.clientId) attributes['client.id'] = route.ctx.tls.clientId;
  if (direction === 'outbound' && route.identity) attributes['server.id'] = route.identity;
  return {
    traceId: hop.ctx.traceId, spanId: hop.spanId, parentSpanId: hop.parentSpanId, name: `${direction} ${method} ${attributes['http.path']}`,
    kind: direction === 'inbound' ? 2 : 3, startNs, endNs: nowNs(), attributes, status: ok && status > 0 && status < 500 ? 0 : 2,
  };
}

export function traceH1(tracer: Tracer): H1Layer {
  return (next) => (req, res, route) => {
    const hop = tracer.hop(extract((n) => getHeader(req.headers, n)));
    if (!hop) return next(req, res, route);
    inject((n, v) => setHeader(req.headers, n, v), hop.ctx, hop.spanId, hop.parentSpanId);
    if (hop.ctx.sampled) {
      const startNs = nowNs();
      res.onClose((done) => tracer.finish(record(hop, route, req.method, res.headersSent ? res.statusCode : 0, done, startNs)));
    }
    next(req, res, route);
  };
}

export function traceH2(tracer: Tracer): H2Layer {
  return (next) => (stream, headers, flags, route) => {
    const hop = tracer.hop(extract((n) => {
      const v = headers[n];
      return Array.isArray(v) ? v[0] : v;
    }));
    if (!hop) return next(stream, headers, flags, route);
    inject((n, v) => void (headers[n] = v), hop.ctx, hop.spanId, hop.parentSpanId);
    if (hop.ctx.sampled) {
      const startNs = nowNs();
      const method = headers[':method'] ?? 'GET';
      stream.once('close', () => {
        const status = Number(stream.sentHeaders?.[':status'] ?? 0);
        const reset = stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR;
        tracer.finish(record(hop, route, method, status, !reset, startNs));
      });
    }
    next(stream, headers, flags, route);
  };
}

/** The stacks' one line: the trace layers when tracing is on, the identity otherwise (no per-request cost). */
export function tracing(tracer: Tracer | undefined): { h1: H1Layer; h2: H2Layer } {
  return tracer ? { h1: traceH1(tracer), h2: traceH2(tracer) } : { h1: (h) => h, h2: (h) => h };
}
