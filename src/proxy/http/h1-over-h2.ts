// Between two meshed proxies, HTTP/1 requests can travel as streams of one multiplexed HTTP/2
// connection (as Linkerd does): the client side turns each HTTP/1.1 request into an HTTP/2
// stream marked `weft-orig-proto: HTTP/1.1` (this file); the server side turns it back into
// HTTP/1.1 for the app (orig-proto-server.ts). One connection carries any number of concurrent
// requests, instead of one keep-alive connection (and one mTLS handshake) per concurrent request.
import http2, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { formatAddress } from '../../lib/address.js';
import { NoDestinationError, TimeoutError, UpstreamConnectError } from '../../lib/errors.js';
import { sendProxyError, type H1Handler } from './h1-forward.js';
import { bodilessKeepsLength, codedFraming, type Framing } from './h1/head.js';
import { endToEnd, fromHeaderObject, toHeaderObject } from './h1/headers.js';
import type { H1Request } from './h1/request.js';
import { openStream, type H2SessionPool } from './h2-pool.js';
import { DEFAULT_FORWARD_OPTIONS, MAX_ATTEMPTS, ReplayBody, type ForwardOptions } from './retry-body.js';
import { pickEndpoint, type AttemptOutcome, type PickedEndpoint } from './route.js';

export const ORIG_PROTO_HEADER = 'weft-orig-proto';
/**
 * An HTTP/1 answer's transfer codings before chunked ("gzip"), which HTTP/2 cannot carry:
 * the inbound proxy names them here and the outbound one restates them, so the client is not
 * handed gzip-coded bytes as the payload. Only ever between two weft proxies.
 */
export const TRANSFER_CODINGS_HEADER = 'weft-transfer-codings';
const { NGHTTP2_CANCEL, HTTP2_HEADER_STATUS } = http2.constants;
const DROP = new Set(['host', 'expect']);
const H2_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'content-length', TRANSFER_CODINGS_HEADER]);

/** HTTP/1 request headers as HTTP/2 request headers (pseudo-headers first, no hop-by-hop). */
function toH2Request(req: H1Request, path: string, authority: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':method': req.method, ':path': path, ':scheme': 'http', ':authority': req.head.host ?? authority };
  Object.assign(out, toHeaderObject(endToEnd(req.headers, req.head.connection, DROP)));
  if (req.framing.kind === 'length') out['content-length'] = String(req.framing.length);
  out[ORIG_PROTO_HEADER] = 'HTTP/1.1';
  return out;
}

/** Client side: sends a (meshed) HTTP/1 request over the shared HTTP/2 session. */
export function forwardH1OverH2(pool: H2SessionPool, opts: ForwardOptions = DEFAULT_FORWARD_OPTIONS): H1Handler {
  return function forward(req, res, route) {
    // Only a route that may retry keeps a copy of the body (payload bytes, up to the buffer).
    const replay = route.retry && req.hasBody
      ? ReplayBody.forLength(opts.retryBufferBytes, req.framing.kind === 'length' ? req.framing.length : undefined)
      : undefined;
    let bodyStarted = false;
    const bodyReady = (): boolean => !req.hasBody || (replay?.replayable ?? false);
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
      /** This attempt's outcome has been taken (relayed, retried, failed or timed out). */
      let decided = false;
      let timer: NodeJS.Timeout | undefined;
      const retry = (outcome: AttemptOutcome): boolean =>
        attempt + 1 < MAX_ATTEMPTS && !res.headersSent && !res.finished && !route.signal?.aborted && (!bodyStarted || bodyReady()) && (route.retry?.(outcome) ?? false);
      const giveUp = (outcome: AttemptOutcome, err: unknown): void => {
        if (decided) return;
        decided = true;
        clearTimeout(timer);
        endpoint.done(false);
        if (retry(outcome)) {
          void send(attempt + 1);
          return;
        }
        if (!res.headersSent) fail(err);
        else res.destroy();
      };
      if (route.tryTimeoutMs !== undefined) {
        const ms = route.tryTimeoutMs;
        timer = setTimeout(() => {
          if (decided || res.headersSent || res.finished) return;
          current?.close(NGHTTP2_CANCEL);
          giveUp({ status: 0, timedOut: true }, new TimeoutError(`attempt to ${route.authority || formatAddress(endpoint.target)}`, ms));
        }, ms);
        res.onClose(() => clearTimeout(timer));
      }
      let up: http2.ClientHttp2Stream;
      try {
        const pooled = pool.get(endpoint.target, endpoint.identity);
        const session = await pooled;
        if (pooled instanceof Promise) endpoint.connected?.();
        if (decided || res.finished) return;
        const last = bodyStarted || !req.hasBody;
        up = openStream(session, toH2Request(req, route.path, route.authority), { endStream: !req.hasBody });
        if (last && req.hasBody) {
          // A later attempt: the kept copy of the whole body.
          for (const c of replay?.chunks ?? []) up.write(c);
          up.end();
        }
      } catch (err) {
        return giveUp({ status: 0 }, err instanceof UpstreamConnectError ? err : new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
      }
      current = up;
      let trailers: readonly string[] = [];
      up.on('response', (h: IncomingHttpHeaders) => {
        if (decided) return;
        const status = Number(h[HTTP2_HEADER_STATUS] ?? 502);
        clearTimeout(timer);
        if (retry({ status })) {
          decided = true;
          endpoint.done(false);
          up.close(NGHTTP2_CANCEL);
          void send(attempt + 1);
          return;
        }
        decided = true;
        const cl = h['content-length'];
        const length = typeof cl === 'string' && /^\d{1,15}$/.test(cl) ? Number(cl) : undefined;
        const coded = h[TRANSFER_CODINGS_HEADER];
        const framing: Framing = length !== undefined ? { kind: 'length', length } : codedFraming(res.clientMinor === 1 ? 'chunked' : 'close', typeof coded === 'string' ? coded : undefined);
        const bodiless = req.method === 'HEAD' || status === 204 || status === 304;
        const headers = fromHeaderObject(h, H2_HOP);
        if (bodiless && bodilessKeepsLength(status) && length !== undefined) headers.push('content-length', String(length));
        res.writeHead(status, '', headers, bodiless ? { kind: 'none' } : framing);
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
        if (decided) {
          if (current === up && res.headersSent && !res.finished) res.destroy();
          return;
        }
        giveUp({ status: 0 }, new UpstreamConnectError(formatAddress(endpoint.target), { cause: err }));
      });
      up.on('close', () => {
        if (!decided && !route.signal?.aborted) {
          giveUp({ status: 0 }, new UpstreamConnectError(formatAddress(endpoint.target), { cause: new Error(`stream closed (code ${up.rstCode})`) }));
        } else if (current === up && res.headersSent && !res.finished && up.rstCode) res.destroy();
      });
      if (bodyStarted || !req.hasBody) return;
      bodyStarted = true;
      const first = up;
      req.readBody({
        mode: 'payload',
        write(chunk) {
          replay?.add(chunk);
          const ok = first.write(chunk);
          if (!ok) first.once('drain', () => req.resume());
          return ok;
        },
        end: () => {
          if (replay) replay.complete = true;
          first.end();
        },
        abort: () => first.close(NGHTTP2_CANCEL),
      });
    };
    void send(0);
  };
}
