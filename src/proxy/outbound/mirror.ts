// Request mirroring (Gateway API RequestMirror): a copy of a share of a route's requests is sent
// to another Service, balanced over its own discovered endpoints (mTLS when they are meshed),
// and its response is read and discarded. The copy never delays or changes the real request.
// Extra load is bounded: at most `maxInFlight` copies at once (more are dropped and counted),
// and only bodies the proxy can hold are mirrored: none, or at most MIRROR_BODY_LIMIT bytes,
// copied as the real request streams it upstream (HTTP/1 Content-Length or chunked, its payload
// decoded from the wire framing when the forward relays it raw) or, for HTTP/2, taken from the
// forward layer's retry buffer once the stream's body is complete (route.onRequestBody). The
// copy is sent with a Content-Length; trailers are not copied. A body past the limit, or one
// the client cut short, is not mirrored (counted as "skipped").
//   outbound_http_route_mirror_requests_total{parent_*, route_*, result="sent"|"failed"|"dropped"|"skipped"}
import { http } from '../../lib/builtins.js';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { PassThrough, type Duplex } from 'node:stream';
import { formatAddress } from '../../lib/address.js';
import { Counter } from '../metrics/prom.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import type { MeshConnector } from '../mesh/connector.js';
import type { H1Request } from '../http/h1/request.js';
import { toHeaderObject } from '../http/h1/headers.js';
import { BodyReader } from '../http/h1/body.js';
import { stripHopByHop } from '../http/hop-by-hop.js';
import type { OutboundDestinations } from './destinations.js';
import type { RouteLabelValues } from './route-metrics.js';

/** Linkerd's retry buffer size: the same bound for what a mirror may hold. */
export const MIRROR_BODY_LIMIT = 64 * 1024;
/** A mirror copy that has not finished by then is cut off. */
const MIRROR_TIMEOUT_MS = 10_000;

type Result = 'sent' | 'failed' | 'dropped' | 'skipped';

export interface MirrorOptions {
  readonly dests: OutboundDestinations;
  readonly mesh: MeshConnector | undefined;
  readonly maxInFlight: number;
}

export class Mirror {
  private inFlight = 0;
  private readonly counter: Counter;

  constructor(private readonly opts: MirrorOptions, metrics: ProxyMetrics) {
    this.counter = metrics.registry.register(new Counter('outbound_http_route_mirror_requests_total', 'Copies of requests sent to a route\'s RequestMirror backend, by result', [
      'parent_group', 'parent_kind', 'parent_name', 'parent_namespace', 'parent_port', 'parent_section_name',
      'route_group', 'route_kind', 'route_name', 'route_namespace', 'result',
    ]));
  }

  /** Copies currently in flight (tests, admin). */
  get active(): number {
    return this.inFlight;
  }

  private count(labels: RouteLabelValues, result: Result): void {
    this.counter.inc({ ...labels, result });
  }

  /** HTTP/1: call before the request is forwarded (the body copy rides the real body's reads). */
  h1(req: H1Request, authority: string, path: string, labels: RouteLabelValues): void {
    const headers = toHeaderObject(req.headers);
    if (!req.hasBody) return this.send(authority, req.method, path, headers, undefined, labels);
    const f = req.framing;
    if ((f.kind !== 'length' && f.kind !== 'chunked') || (f.kind === 'length' && f.length > MIRROR_BODY_LIMIT)) return this.count(labels, 'skipped');
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (c: Buffer): void => {
      size += c.length;
      if (size <= MIRROR_BODY_LIMIT) chunks.push(Buffer.from(c));
    };
    const readBody = req.readBody.bind(req);
    req.readBody = (sink) => {
      // Raw chunked bytes carry their framing: a reader of our own decodes the copy. Payload
      // mode, and Content-Length bodies in either mode, are the payload as they pass.
      const decoder = sink.mode === 'raw' && f.kind === 'chunked' ? new BodyReader(f) : undefined;
      const events = { data: keep };
      return readBody({
        mode: sink.mode,
        write: (c) => {
          if (decoder && size <= MIRROR_BODY_LIMIT) {
            try {
              decoder.feed(c, 0, events);
            } catch {
              size = MIRROR_BODY_LIMIT + 1; // malformed: the real request fails; no copy
            }
          } else if (!decoder) keep(c);
          return sink.write(c);
        },
        end: (trailers) => {
          sink.end(trailers);
          if (size > MIRROR_BODY_LIMIT) return this.count(labels, 'skipped');
          this.send(authority, req.method, path, headers, Buffer.concat(chunks), labels);
        },
        abort: (err) => {
          sink.abort(err);
          this.count(labels, 'skipped');
        },
      });
    };
  }

  /**
   * HTTP/2. A request without a body (END_STREAM on the headers) is copied at once; for one
   * with a body this returns the route's onRequestBody: the forward layer hands it the body
   * it kept (undefined when the body outgrew its buffer or was cut short).
   */
  h2(headers: IncomingHttpHeaders, ended: boolean, authority: string, labels: RouteLabelValues): ((body: Buffer | undefined) => void) | undefined {
    const out: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && v !== undefined) out[k] = v;
    out['host'] = String(headers[':authority'] ?? authority);
    const method = String(headers[':method'] ?? 'GET');
    const path = String(headers[':path'] ?? '/');
    if (ended) {
      this.send(authority, method, path, out, undefined, labels);
      return undefined;
    }
    return (body) => {
      if (!body || body.length > MIRROR_BODY_LIMIT) return this.count(labels, 'skipped');
      this.send(authority, method, path, out, body, labels);
    };
  }

  private send(authority: string, method: string, path: string, headersIn: OutgoingHttpHeaders, body: Buffer | undefined, labels: RouteLabelValues): void {
    if (this.inFlight >= this.opts.maxInFlight) return this.count(labels, 'dropped');
    this.inFlight++;
    let settled = false;
    const done = (result: Result): void => {
      if (settled) return;
      settled = true;
      this.inFlight--;
      this.count(labels, result);
    };
    // The copy is re-framed (the whole body, or none) and never waits for 100-continue.
    const headers = stripHopByHop(headersIn as IncomingHttpHeaders);
    delete headers['content-length'];
    delete headers['expect'];
    if (body) headers['content-length'] = body.length;
    void this.opts.dests.get(authority).then((dest) => {
      if (!dest) return done('failed');
      let lease;
      try {
        lease = dest.direct().http.pick();
      } catch {
        return done('failed');
      }
      const e = lease.endpoint;
      const { mesh } = this.opts;
      const identity = e.identity && mesh ? e.identity : undefined;
      const req = http.request({
        host: e.host, port: e.port, method, path, headers, agent: false,
        // A meshed endpoint: mTLS to its proxy, which forwards the bytes to the app's port.
        ...(identity && mesh ? {
          createConnection: (_o: unknown, cb: (err: Error | null, s: Duplex) => void) => {
            mesh.connect({ host: e.host, port: e.port }, identity, { port: e.port, protocol: 'opaque' }).then((s) => cb(null, s), (err: Error) => cb(err, new PassThrough()));
            return undefined;
          },
        } : {}),
      });
      const l = lease;
      req.setTimeout(MIRROR_TIMEOUT_MS, () => req.destroy(new Error(`mirror to ${formatAddress(e)} timed out`)));
      req.on('response', (res) => {
        res.resume(); // the mirror's answer is not wanted
        res.on('end', () => {
          l.end((res.statusCode ?? 500) < 500);
          done('sent');
        });
        res.on('error', () => {
          l.end(false);
          done('failed');
        });
      });
      req.on('error', () => {
        l.end(false);
        done('failed');
      });
      req.end(body);
    }, () => done('failed'));
  }
}
