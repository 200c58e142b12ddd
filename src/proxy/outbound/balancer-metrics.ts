// outbound_http_balancer_endpoints{dst, backend, endpoint_state="ready"|"pending"}: endpoints
// the balancers can use, and those ejected by failure accrual (waiting to be probed back), as
// Linkerd names it, per destination and backend (Linkerd labels it with the parent and backend
// resources; `dst` is the destination's service FQDN, as the route metrics' `dst`). Series are
// rebuilt at each scrape, so an evicted destination's leave.
import { Gauge } from '../metrics/prom.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import type { OutboundDestinations } from './destinations.js';

export function registerBalancerGauge(metrics: ProxyMetrics, destinations: OutboundDestinations): void {
  metrics.register(
    new Gauge('outbound_http_balancer_endpoints', 'Endpoints in the outbound HTTP balancers, by destination, backend and state', ['dst', 'backend', 'endpoint_state'], async (g) => {
      const states = await destinations.endpointStates();
      g.reset();
      // Two lookup keys for one service (its cluster IP and its name) add up in one series.
      for (const s of states) {
        g.inc({ dst: s.dst, backend: s.backend, endpoint_state: 'ready' }, s.ready);
        g.inc({ dst: s.dst, backend: s.backend, endpoint_state: 'pending' }, s.pending);
      }
    }),
  );
}
