// Between two meshed proxies, HTTP/1 requests travel as streams of one multiplexed HTTP/2
// connection (as Linkerd does): the client side turns each HTTP/1.1 request into an HTTP/2
// stream marked `weft-orig-proto: HTTP/1.1`, and the server side turns it back into HTTP/1.1
// for the app. One connection carries any number of concurrent requests, instead of one
// keep-alive connection (and one mTLS handshake) per concurrent request.
import http, { type IncomingHttpHeaders as H1Headers } from 'node:http';
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { formatAddress } from '../../lib/address.js';
import { NoDestinationError, UpstreamConnectError } from '../../lib/errors.js';
import { stripHopByHop } from './hop-by-hop.js';
import { canResend, sendProxyError, type H1Handler } from './h1-forward.js';
import type { H2SessionPool } from './h2-pool.js';
import { respondH2Error, type H2Handler, type H2Layer } from './h2-forward.js';
import { pickEndpoint, type PickedEndpoint } from './route.js';

export const ORIG_PROTO_HEADER = 'weft-orig-proto';
const { NGHTTP2_CANCEL, HTTP2_HEADER_STATUS } = http2.constants;

/** HTTP/1 request headers as HTTP/2 request headers (pseudo-headers first, no hop-by-hop). */
function toH2Request(method: string, path: string, headers: H1Headers): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':method': method, ':path': path, ':scheme': 'http', ':authority': headers.host ?? '' };
  const rest = stripHopByHop(headers);
  delete rest.host;
  delete rest.expect; // the client side answers 100-continue itself
  return Object.assign(out, rest, { [ORIG_PROTO_HEADER]: 'HTTP/1.1' });
}

/** Client side: sends a (meshed) HTTP/1 request over the shared HTTP/2 session. */
export function forwardH1OverH2(pool: H2SessionPool): H1Handler {
  return function forward(req, res, route) {
    const method = req.method ?? 'GET';
    const resendable = canResend(req);
    if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
    let current: http2.ClientHttp2Stream | undefined;
    res.once('close', () => {
      if (!res.writableFinished) current?.close(NGHTTP2_CANCEL);
    });
    const fail = (err: unknown): void => {
      req.resume();
      sendProxyError(res, route.signal?.aborted ? route.signal.reason : err);
    };
    route.signal?.addEventListener('abort', () => current?.close(NGHTTP2_CANCEL), { once: true });

    const send = async (attempt: number): Promise<void> => {
      let ep: PickedEndpoint | undefined;
      try {
        ep = pickEndpoint(route);
      } catch (err) {
        return fail(err);
      }
      if (!ep) return fail(new NoDestinationError(`no destination for ${route.authority || 'request'}`));
      const endpoint = ep;
      let up: http2.ClientHttp2Stream;
      try {
        const session = await pool.get(endpoint.target, endpoint.identity);
        up = session.request(toH2Request(method, route.path, req.headers), { endStream: req.readableEnded && resendable });
      } catch (err) {
        endpoint.done(false);
        return fail(err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
      }
      current = up;
      let retried = false;
      up.on('response', (h: IncomingHttpHeaders) => {
        const status = Number(h[HTTP2_HEADER_STATUS] ?? 502);
        if (attempt === 0 && resendable && !res.headersSent && route.retry?.(status)) {
          endpoint.done(false);
          retried = true;
          up.close(NGHTTP2_CANCEL);
          void send(1);
          return;
        }
        const headers: OutgoingHttpHeaders = {};
        for (const k in h) if (!k.startsWith(':')) headers[k] = h[k];
        res.writeHead(status, headers);
        up.on('trailers', (t: IncomingHttpHeaders) => res.addTrailers(t as Record<string, string>));
        res.once('close', () => endpoint.done(res.writableFinished && status < 500));
        up.pipe(res);
      });
      up.on('error', (err) => {
        endpoint.done(false);
        if (!res.headersSent) fail(new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
        else res.destroy();
      });
      up.on('close', () => {
        if (!res.headersSent && !retried && !route.signal?.aborted) {
          fail(new UpstreamConnectError(formatAddress(endpoint.target), { cause: new Error(`stream closed (code ${up.rstCode})`) }));
        } else if (res.headersSent && !res.writableFinished && up.rstCode) res.destroy();
      });
      if (!(req.readableEnded && resendable)) {
        if (req.readableEnded) up.end();
        else req.pipe(up);
      }
    };
    void send(0);
  };
}

/**
 * Server side: a stream marked weft-orig-proto HTTP/1.1 goes to the app as HTTP/1.1 over the
 * inbound's pooled keep-alive agent; other streams continue as HTTP/2.
 */
export function origProtoH2(agent: http.Agent): H2Layer {
  return (next: H2Handler): H2Handler => (stream: ServerHttp2Stream, headers, flags, route) => {
    if (headers[ORIG_PROTO_HEADER] !== 'HTTP/1.1') return next(stream, headers, flags, route);
    stream.on('error', () => {});
    const target = route.target;
    if (!target) return respondH2Error(stream, headers, new NoDestinationError('no application address'));
    const h1: http.OutgoingHttpHeaders = {};
    for (const k in headers) if (!k.startsWith(':') && k !== ORIG_PROTO_HEADER) h1[k] = headers[k];
    h1.host = headers[':authority'] ?? '';
    const up = http.request({
      host: target.host,
      port: target.port,
      method: headers[':method'],
      path: headers[':path'],
      headers: h1,
      agent,
      setHost: false,
    });
    up.on('response', (ur) => {
      if (stream.destroyed || stream.closed) return void ur.resume();
      const out: OutgoingHttpHeaders = { ...stripHopByHop(ur.headers), ':status': ur.statusCode ?? 502 };
      try {
        stream.respond(out, { waitForTrailers: true });
      } catch {
        return void up.destroy();
      }
      stream.on('wantTrailers', () => stream.sendTrailers(ur.rawTrailers.length ? (ur.trailers as OutgoingHttpHeaders) : {}));
      ur.pipe(stream);
    });
    up.on('error', (err) => respondH2Error(stream, headers, new UpstreamConnectError(formatAddress(target), { cause: err })));
    stream.once('close', () => {
      if (!up.writableFinished || !stream.writableFinished) up.destroy();
    });
    stream.pipe(up);
  };
}
