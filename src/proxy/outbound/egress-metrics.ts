// Traffic leaving the mesh through an EgressNetwork. HTTP and gRPC requests are counted by the
// route metrics (route-metrics.ts) with parent_kind="EgressNetwork" and the default route's name
// (http-egress-allow / http-egress-deny, ...) as route_name, as linkerd2-proxy labels them; these
// are weft's additions, with the same parent_* labels:
//   outbound_egress_denied_total{parent_*, protocol="http"|"grpc"|"opaque"}: refused by trafficPolicy Deny
//   outbound_egress_tcp_open_total{parent_*}: opaque connections let out to their original destination
import { Counter } from '../metrics/prom.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import type { ParentLabels } from './policy-types.js';

const PARENT = ['parent_group', 'parent_kind', 'parent_name', 'parent_namespace', 'parent_port', 'parent_section_name'];

export type EgressProtocol = 'http' | 'grpc' | 'opaque';

export class EgressMetrics {
  private readonly denied: Counter;
  private readonly opened: Counter;

  constructor(m: ProxyMetrics) {
    this.denied = m.registry.register(new Counter('outbound_egress_denied_total', 'Requests and connections an EgressNetwork refused (trafficPolicy Deny, no route matched)', [...PARENT, 'protocol']));
    this.opened = m.registry.register(new Counter('outbound_egress_tcp_open_total', 'Opaque connections an EgressNetwork let out to their original destination', PARENT));
  }

  private static parent(p: ParentLabels): Record<string, string> {
    return { parent_group: p.group, parent_kind: p.kind, parent_name: p.name, parent_namespace: p.namespace, parent_port: p.port, parent_section_name: '' };
  }

  deny(p: ParentLabels, protocol: EgressProtocol): void {
    this.denied.inc({ ...EgressMetrics.parent(p), protocol });
  }

  open(p: ParentLabels): void {
    this.opened.inc(EgressMetrics.parent(p));
  }
}
