// outbound_http_balancer_endpoints{endpoint_state="ready"|"pending"}: endpoints the balancers
// can use, and those ejected by failure accrual (waiting to be probed back), as Linkerd names it.
import { Gauge } from '../metrics/prom.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import type { OutboundDestinations } from './destinations.js';

export function registerBalancerGauge(metrics: ProxyMetrics, destinations: OutboundDestinations): void {
  metrics.register(
    new Gauge('outbound_http_balancer_endpoints', 'Endpoints in the outbound HTTP balancers, by state', ['endpoint_state'], async (g) => {
      const s = await destinations.endpointStates();
      g.set({ endpoint_state: 'ready' }, s.ready);
      g.set({ endpoint_state: 'pending' }, s.pending);
    }),
  );
}
