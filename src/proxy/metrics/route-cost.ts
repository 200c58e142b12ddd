// Per-route cost (beyond Linkerd): the body bytes a request sent and its response returned, and,
// for 1 request in N, the CPU time the proxy spent on it. The routing layer (discovery, or an
// HTTPRoute layer) gives a request a RequestCost when it matched a route; the layers here fill
// it in; the routing layer hands it to ProxyMetrics.routeFinished with the route's labels.
//
// Why the CPU figure is honest: Node runs every request's JavaScript on one thread, so the CPU
// time that passes *during a synchronous call made for this request* is this request's work
// (plus whatever another thread of the process does meanwhile: GC helpers, the libuv pool, so the
// figure leans high there; see cpuClock). Timing
// from request start to response end instead would charge the request with every other request
// served in between. The calls timed are the ones a request's own code makes:
//   - the dispatch: everything below this layer for the request head (metrics, tracing, tap,
//     balancer pick, pooled connect, writing the head upstream), synchronously;
//   - each request body chunk handed to the forwarder (written upstream);
//   - each response head/body chunk/end written downstream.
// Not included: parsing the request and response heads (the engine does it before a layer
// sees them), TLS record work and syscalls done outside those calls. So the figure is a floor
// of the request's cost, measured, not an apportioned share. Sampling keeps it cheap: an
// unsampled request pays for byte counting only (a wrapped write), an unrouted one one branch.
import type { ServerHttp2Stream } from 'node:http2';
import type { H1Layer } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import type { BodySink, H1Request } from '../http/h1/request.js';
import type { H1Response } from '../http/h1/response.js';

/** What one routed request cost; filled in by the layers below, read when it ends. */
export interface RequestCost {
  /** Request body bytes the proxy forwarded (as framed on the wire when forwarded raw). */
  requestBytes: number;
  /** Response body bytes the proxy wrote to the client (likewise as framed when forwarded raw). */
  responseBytes: number;
  /** CPU microseconds measured (sampled requests only). */
  cpuUs: number;
  /** Whether this request's CPU time is measured. */
  readonly sampled: boolean;
  /** Nesting of timed calls: only the outermost one is measured. */
  depth: number;
}

type CpuClock = () => number;

/**
 * CPU time of the process, in µs. Not process.threadCpuUsage() (Node >= 23.9), though it would
 * leave other threads out: on Node 24 here its deltas over a proxy's timed calls came out 0
 * (metrics-queries.test.ts: 23 samples, 0 µs) while process.cpuUsage() measured them.
 */
function cpuClock(): CpuClock {
  return () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
}

const now = cpuClock();

/**
 * Hands out a RequestCost per routed request, measuring CPU on 1 in N at random: a counter
 * would alias with periodic traffic (every 4th request of a client cycling through 4 routes is
 * always the same route).
 */
export class RouteCostSampler {
  /** `every`: 1 in `every` requests has its CPU measured; 0: no per-route cost at all. */
  constructor(
    readonly every: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!Number.isInteger(every) || every < 0) throw new RangeError(`route cost sampling: expected a non-negative integer, got ${every}`);
  }

  start(): RequestCost | undefined {
    if (this.every === 0) return undefined;
    return { requestBytes: 0, responseBytes: 0, cpuUs: 0, sampled: this.every === 1 || this.random() * this.every < 1, depth: 0 };
  }
}

/** Runs `fn`, adding the CPU time it took to `c` (nested calls are counted once). */
function timed<T>(c: RequestCost, fn: () => T): T {
  if (c.depth > 0) return fn();
  c.depth = 1;
  const t0 = now();
  try {
    return fn();
  } finally {
    c.cpuUs += now() - t0;
    c.depth = 0;
  }
}

/** Wraps `obj[name]` on this instance only, running `before` then the original, timed when sampled. */
function wrap<O extends object, K extends keyof O>(c: RequestCost, obj: O, name: K, before?: (...args: never[]) => void): void {
  const orig = obj[name] as unknown as (...a: unknown[]) => unknown;
  const call = before as ((...a: unknown[]) => void) | undefined;
  (obj as Record<K, unknown>)[name] = c.sampled
    ? (...args: unknown[]) => {
        call?.(...args);
        return timed(c, () => orig.apply(obj, args));
      }
    : (...args: unknown[]) => {
        call?.(...args);
        return orig.apply(obj, args);
      };
}

const size = (chunk: unknown): number =>
  typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk instanceof Uint8Array ? chunk.length : 0;

function meterH1(c: RequestCost, req: H1Request, res: H1Response): void {
  const readBody = req.readBody;
  req.readBody = (sink: BodySink) => {
    const metered: BodySink = {
      mode: sink.mode,
      write: (chunk) => {
        c.requestBytes += chunk.length;
        return c.sampled ? timed(c, () => sink.write(chunk)) : sink.write(chunk);
      },
      end: (trailers) => (c.sampled ? timed(c, () => sink.end(trailers)) : sink.end(trailers)),
      abort: (err) => sink.abort(err),
    };
    readBody.call(req, metered);
  };
  const add = (chunk: Buffer): void => {
    c.responseBytes += chunk.length;
  };
  wrap(c, res, 'write', add);
  wrap(c, res, 'writeRaw', add);
  if (c.sampled) {
    wrap(c, res, 'writeHead');
    wrap(c, res, 'end');
  }
}

function meterH2(c: RequestCost, stream: ServerHttp2Stream): void {
  // Request DATA reaches the readable side through push(); what the forwarder does with it
  // (write upstream) runs inside that call when the stream flows. What arrived while discovery
  // was answering is already buffered, unread.
  c.requestBytes += stream.readableLength;
  wrap(c, stream, 'push', (chunk: unknown) => {
    c.requestBytes += size(chunk);
  });
  wrap(c, stream, 'write', (chunk: unknown) => {
    c.responseBytes += size(chunk);
  });
  // end(chunk) writes its chunk without going through write().
  wrap(c, stream, 'end', (chunk: unknown) => {
    if (typeof chunk !== 'function') c.responseBytes += size(chunk);
  });
  if (c.sampled) wrap(c, stream, 'respond');
}

/** HTTP/1: meters requests that carry a RequestCost; one branch for the others. */
export function routeCostH1(): H1Layer {
  return (next) => (req, res, route) => {
    const c = route.cost;
    if (!c) return next(req, res, route);
    meterH1(c, req, res);
    if (c.sampled) timed(c, () => next(req, res, route));
    else next(req, res, route);
  };
}

/** HTTP/2: as routeCostH1. */
export function routeCostH2(): H2Layer {
  return (next) => (stream, headers, flags, route) => {
    const c = route.cost;
    if (!c) return next(stream, headers, flags, route);
    meterH2(c, stream);
    if (c.sampled) timed(c, () => next(stream, headers, flags, route));
    else next(stream, headers, flags, route);
  };
}
