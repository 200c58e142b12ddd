// Inbound HTTP rate limits (Linkerd's HTTPLocalRateLimitPolicy): a token bucket per limit —
// one for all clients (total), one per client identity (identity), or an override's rate for
// the identities it names — each holding up to one second's worth of requests and refilled
// continuously, so a sustained flood gets the configured rate per second. Over the limit: 429
// with weft-proxy-error, gRPC RESOURCE_EXHAUSTED. Time is injected for deterministic tests.
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { ConnContext } from '../context.js';
import type { H1Layer } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import { PROXY_ERROR_HEADER } from '../http/proxy-error.js';
import { Counter } from '../metrics/prom.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import { grpcMessage } from '../http/grpc-message.js';
import { isGrpcContentType } from '../http/grpc-status.js';
import type { PolicySource } from './source.js';
import type { PortPolicy, RateLimitSpec } from './types.js';

export type Clock = () => number;

export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(private readonly rps: number, private readonly now: Clock) {
    this.tokens = rps;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.rps, this.tokens + ((t - this.last) / 1000) * this.rps);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The buckets of one rate-limit policy (state lives as long as the policy does). */
export class RateLimiter {
  private readonly total: TokenBucket | undefined;
  private readonly perId = new Map<string, TokenBucket>();

  constructor(private readonly spec: RateLimitSpec, private readonly now: Clock = () => performance.now()) {
    this.total = spec.total ? new TokenBucket(spec.total, now) : undefined;
  }

  /** Whether a request from `clientId` ('' unauthenticated: they share one bucket) may pass. */
  admit(clientId: string): boolean {
    const override = clientId ? this.spec.overrides.find((o) => o.identities.has(clientId)) : undefined;
    const rps = override?.rps ?? this.spec.identity;
    if (rps !== undefined) {
      let b = this.perId.get(clientId);
      if (!b) this.perId.set(clientId, (b = new TokenBucket(rps, this.now)));
      if (!b.take()) return false;
    }
    return this.total ? this.total.take() : true;
  }
}

export class RateLimitMetrics {
  private readonly total: Counter;
  constructor(m: ProxyMetrics) {
    this.total = m.registry.register(new Counter('inbound_http_local_ratelimit_total', 'Inbound HTTP requests checked against a local rate limit, by result', ['srv_kind', 'srv_name', 'ratelimit_name', 'client_id', 'result']));
  }

  count(p: PortPolicy, rl: RateLimitSpec, ctx: ConnContext, ok: boolean): void {
    this.total.inc({ srv_kind: p.server.kind, srv_name: p.server.name, ratelimit_name: rl.labels.name, client_id: ctx.tls.clientId, result: ok ? 'allowed' : 'rate_limited' });
  }
}

/** Decides for a request; undefined policy or no rate limit: allowed. */
function check(limiters: WeakMap<RateLimitSpec, RateLimiter>, metrics: RateLimitMetrics, p: PortPolicy, ctx: ConnContext, now: Clock): boolean {
  const rl = p.rateLimit;
  if (!rl) return true;
  let l = limiters.get(rl);
  if (!l) limiters.set(rl, (l = new RateLimiter(rl, now)));
  const ok = l.admit(ctx.tls.clientId);
  metrics.count(p, rl, ctx, ok);
  return ok;
}

export interface RateLimitLayers {
  readonly h1: H1Layer;
  readonly h2: H2Layer;
}

function withPolicy(source: PolicySource, ctx: ConnContext, go: (p: PortPolicy) => void): void {
  const p = source.get(ctx.target?.port ?? 0);
  if ('then' in p) void p.then(go);
  else go(p);
}

const REASON = 'rate limited by the server\'s HTTPLocalRateLimitPolicy';

export function rateLimitLayers(source: PolicySource | undefined, m: ProxyMetrics, now: Clock = () => performance.now()): RateLimitLayers {
  if (!source) return { h1: (next) => next, h2: (next) => next };
  const limiters = new WeakMap<RateLimitSpec, RateLimiter>();
  const metrics = new RateLimitMetrics(m);
  return {
    h1: (next) => (req, res, route) => withPolicy(source, route.ctx, (p) => {
      if (check(limiters, metrics, p, route.ctx, now)) return next(req, res, route);
      req.discardBody();
      res.respondError(429, 'Too Many Requests', REASON);
    }),
    h2: (next) => (stream, headers, flags, route) => withPolicy(source, route.ctx, (p) => {
      if (check(limiters, metrics, p, route.ctx, now)) return next(stream, headers, flags, route);
      respondLimited(stream, headers);
    }),
  };
}

function respondLimited(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const grpc = isGrpcContentType(headers);
  try {
    if (grpc) stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '8', 'grpc-message': grpcMessage(REASON), [PROXY_ERROR_HEADER]: REASON }, { endStream: true });
    else {
      stream.respond({ ':status': 429, 'content-type': 'text/plain; charset=utf-8', [PROXY_ERROR_HEADER]: REASON });
      stream.end(`${REASON}\n`);
    }
  } catch {
    stream.destroy();
  }
  stream.resume();
}
