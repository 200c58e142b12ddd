// The DNS fallback layers: after the destination-service layer, a request it did not resolve
// (no pick) whose target is a name, not an original destination IP, is balanced over the
// name's DNS answers. Each request counts which discovery served it:
// outbound_discovery_requests_total{source="destination"|"dns"|"original"}.
import type { H1Layer } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import type { HttpRoute } from '../http/route.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import { DnsDiscovery } from './dns-discovery.js';

/**
 * The route with a DNS pick, or as it was (counted by source). Synchronous when no lookup is
 * needed, which is nearly every request: a promise there cost each request a microtask turn.
 */
function dnsRoute(dns: DnsDiscovery, metrics: ProxyMetrics, route: HttpRoute): HttpRoute | Promise<HttpRoute> {
  if (route.pick) {
    metrics.discoveryServed('destination');
    return route;
  }
  const t = route.target;
  if (route.ctx.target || !t || !DnsDiscovery.applies(t.host)) {
    metrics.discoveryServed('original');
    return route;
  }
  return dnsPicked(dns, metrics, route, t.host, t.port);
}

async function dnsPicked(dns: DnsDiscovery, metrics: ProxyMetrics, route: HttpRoute, host: string, port: number): Promise<HttpRoute> {
  const pick = await dns.resolve(host, port).catch(() => undefined);
  metrics.discoveryServed(pick ? 'dns' : 'original');
  if (!pick) return route;
  return {
    ...route,
    pick: () => {
      const p = pick();
      return { target: p.target, identity: route.identity, done: p.done };
    },
  };
}

export function dnsH1(dns: DnsDiscovery, metrics: ProxyMetrics): H1Layer {
  return (next) => (req, res, route) => {
    const r = dnsRoute(dns, metrics, route);
    if (r instanceof Promise) void r.then((x) => next(req, res, x));
    else next(req, res, r);
  };
}

export function dnsH2(dns: DnsDiscovery, metrics: ProxyMetrics): H2Layer {
  return (next) => (stream, headers, flags, route) => {
    const r = dnsRoute(dns, metrics, route);
    if (r instanceof Promise) void r.then((x) => next(stream, headers, flags, x));
    else next(stream, headers, flags, r);
  };
}
