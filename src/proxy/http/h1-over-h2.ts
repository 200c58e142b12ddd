// Between two meshed proxies, HTTP/1 requests can travel as streams of one multiplexed HTTP/2
// connection (as Linkerd does): the client side turns each HTTP/1.1 request into an HTTP/2
// stream marked `weft-orig-proto: HTTP/1.1` (this file); the server side turns it back into
// HTTP/1.1 for the app (orig-proto-server.ts). One connection carries any number of concurrent
// requests, instead of one keep-alive connection (and one mTLS handshake) per concurrent request.
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { formatAddress } from '../../lib/address.js';
import { NoDestinationError, UpstreamConnectError } from '../../lib/errors.js';
import { canResend, sendProxyError, type H1Handler } from './h1-forward.js';
import type { Framing } from './h1/head.js';
import { endToEnd, fromHeaderObject, toHeaderObject } from './h1/headers.js';
import type { H1Request } from './h1/request.js';
import type { H2SessionPool } from './h2-pool.js';
import { pickEndpoint, type PickedEndpoint } from './route.js';

export const ORIG_PROTO_HEADER = 'weft-orig-proto';
const { NGHTTP2_CANCEL, HTTP2_HEADER_STATUS } = http2.constants;
const DROP = new Set(['host', 'expect']);
const H2_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'content-length']);

/** HTTP/1 request headers as HTTP/2 request headers (pseudo-headers first, no hop-by-hop). */
function toH2Request(req: H1Request, path: string, authority: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':method': req.method, ':path': path, ':scheme': 'http', ':authority': req.head.host ?? authority };
  Object.assign(out, toHeaderObject(endToEnd(req.headers, req.head.connection, DROP)));
  if (req.framing.kind === 'length') out['content-length'] = String(req.framing.length);
  out[ORIG_PROTO_HEADER] = 'HTTP/1.1';
  return out;
}

/** Client side: sends a (meshed) HTTP/1 request over the shared HTTP/2 session. */
export function forwardH1OverH2(pool: H2SessionPool): H1Handler {
  return function forward(req, res, route) {
    const resendable = canResend(req);
    // The client side answers 100-continue itself: the body streams as soon as it comes.
    if (req.head.expectContinue) res.writeInformational(100, 'Continue');
    let current: http2.ClientHttp2Stream | undefined;
    res.onClose((finished) => {
      if (!finished) current?.close(NGHTTP2_CANCEL);
    });
    const fail = (err: unknown): void => sendProxyError(res, route.signal?.aborted ? route.signal.reason : err);
    route.signal?.addEventListener('abort', () => {
      current?.close(NGHTTP2_CANCEL);
      fail(route.signal?.reason);
    }, { once: true });

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
        up = session.request(toH2Request(req, route.path, route.authority), { endStream: !req.hasBody });
      } catch (err) {
        endpoint.done(false);
        return fail(err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
      }
      current = up;
      let retried = false;
      let trailers: readonly string[] = [];
      up.on('response', (h: IncomingHttpHeaders) => {
        const status = Number(h[HTTP2_HEADER_STATUS] ?? 502);
        if (attempt === 0 && resendable && !res.headersSent && route.retry?.({ status })) {
          endpoint.done(false);
          retried = true;
          up.close(NGHTTP2_CANCEL);
          void send(1);
          return;
        }
        const cl = h['content-length'];
        const length = typeof cl === 'string' && /^\d{1,15}$/.test(cl) ? Number(cl) : undefined;
        const framing: Framing = length !== undefined ? { kind: 'length', length } : res.clientMinor === 1 ? { kind: 'chunked' } : { kind: 'close' };
        res.writeHead(status, '', fromHeaderObject(h, H2_HOP), req.method === 'HEAD' || status === 204 || status === 304 ? { kind: 'none' } : framing);
        res.onClose((finished) => endpoint.done(finished && status < 500));
        up.on('trailers', (t: IncomingHttpHeaders) => (trailers = fromHeaderObject(t)));
        up.on('data', (c: Buffer) => {
          if (!res.write(c)) {
            up.pause();
            res.socket.once('drain', () => up.resume());
          }
        });
        up.on('end', () => res.end({ trailers }));
      });
      up.on('error', (err) => {
        endpoint.done(false);
        if (!res.headersSent) fail(new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
        else res.destroy();
      });
      up.on('close', () => {
        if (!res.headersSent && !retried && !route.signal?.aborted) {
          fail(new UpstreamConnectError(formatAddress(endpoint.target), { cause: new Error(`stream closed (code ${up.rstCode})`) }));
        } else if (res.headersSent && !res.finished && up.rstCode) res.destroy();
      });
      if (attempt > 0 || !req.hasBody) return;
      req.readBody({
        mode: 'payload',
        write(chunk) {
          const ok = up.write(chunk);
          if (!ok) up.once('drain', () => req.resume());
          return ok;
        },
        end: () => up.end(),
        abort: () => up.close(NGHTTP2_CANCEL),
      });
    };
    void send(0);
  };
}
