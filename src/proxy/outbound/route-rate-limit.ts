// Outbound route rate limits (beyond Linkerd: its HTTPLocalRateLimitPolicy targets a Server; weft
// also lets it name an HTTPRoute or GRPCRoute). Each client proxy keeps one token bucket per
// limited route — its own requests, a second's worth of burst, refilled continuously — and
// answers a request over the limit itself: 429 with weft-proxy-error, gRPC RESOURCE_EXHAUSTED.
// Buckets are keyed by the policy and its rate, so a policy update that changes neither keeps
// the bucket's state.
//   outbound_http_route_local_ratelimit_total{route_*, ratelimit_name, result="allowed"|"rate_limited"}
import { Counter } from '../metrics/prom.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import { TokenBucket, type Clock } from '../policy/rate-limit.js';
import type { OutboundRoute } from './policy-types.js';

export class RouteRateLimits {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly counter: Counter;

  constructor(metrics: ProxyMetrics, private readonly now: Clock = () => performance.now()) {
    this.counter = metrics.registry.register(new Counter('outbound_http_route_local_ratelimit_total', 'Outbound requests checked against a route\'s local rate limit, by result', [
      'route_group', 'route_kind', 'route_name', 'route_namespace', 'ratelimit_name', 'result',
    ]));
  }

  /** Undefined when the request may go on; else why it may not (the proxy's error text). */
  refuse(route: OutboundRoute): string | undefined {
    const rl = route.rateLimit;
    if (!rl) return undefined;
    const key = `${rl.namespace}/${rl.name}/${route.labels.kind}/${route.labels.name}/${rl.rps}`;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new TokenBucket(rl.rps, this.now)));
    const ok = b.take();
    this.counter.inc({
      route_group: route.labels.group, route_kind: route.labels.kind, route_name: route.labels.name, route_namespace: route.labels.namespace,
      ratelimit_name: rl.name, result: ok ? 'allowed' : 'rate_limited',
    });
    return ok ? undefined : `rate limit of ${route.labels.kind} ${route.labels.namespace}/${route.labels.name} exceeded: ${rl.rps} requests per second (HTTPLocalRateLimitPolicy ${rl.namespace}/${rl.name})`;
  }
}
