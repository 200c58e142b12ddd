// outbound_http_balancer_endpoints{endpoint_state="ready"|"pending"}: endpoints the balancers
// can use, and those ejected by failure accrual (waiting to be probed back), as Linkerd names it.
import { Gauge } from 'prom-client';
import type { ProxyMetrics } from '../metrics/registry.js';
import type { OutboundDestinations } from './destinations.js';

export function registerBalancerGauge(metrics: ProxyMetrics, destinations: OutboundDestinations): void {
  metrics.register(
    new Gauge({
      name: 'outbound_http_balancer_endpoints',
      help: 'Endpoints in the outbound HTTP balancers, by state',
      labelNames: ['endpoint_state'],
      registers: [],
      async collect() {
        const s = await destinations.endpointStates();
        this.set({ endpoint_state: 'ready' }, s.ready);
        this.set({ endpoint_state: 'pending' }, s.pending);
      },
    }),
  );
}
