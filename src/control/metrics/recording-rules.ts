// The recording rules the metrics API's queries read (control/metrics/queries.ts); whoever
// runs Prometheus for weft (the local runtime; a Kubernetes install) loads them.
import { stringify } from 'yaml';

/** The scrape job of the proxies (its targets carry namespace, pod, deployment labels). */
export const PROXY_JOB = 'weft-proxy';

/**
 * Recording rules. Linkerd's viz queries sum the proxies' raw series, whose labels multiply:
 * `response_latency_ms_bucket` has 26 buckets for every authority × target × status code ×
 * peer identity. These pre-aggregate per pod, dropping what viz never groups by (authority,
 * status code, error), so a `viz stat` quantile reads one series per pod and bucket. Summing
 * counters is safe here because the sum stays per pod: a proxy restart resets all of a pod's
 * counters at once, which rate()/increase() read as one counter reset. (A label set that first
 * appears mid-window, e.g. the first failure, then adds its first count to the sum; raw
 * increase() cannot see a new series' first count.)
 */
export const VIZ_RULES = Object.freeze({
  responses: 'pod:response_total:sum',
  inboundLatency: 'pod:response_latency_ms_bucket:inbound',
  outboundLatency: 'pod:response_latency_ms_bucket:outbound',
  routeResponses: 'pod:route_response_total:sum',
  routeLatency: 'pod:route_response_latency_ms_bucket:sum',
});

export function renderRules(scrapeIntervalSeconds: number): string {
  const by = 'namespace, deployment, pod, target_addr, le';
  return stringify({
    groups: [{
      name: 'weft-viz',
      interval: `${scrapeIntervalSeconds}s`,
      rules: [
        { record: VIZ_RULES.responses, expr: `sum without (authority, status_code, error, instance, job) (response_total{job="${PROXY_JOB}"})` },
        { record: VIZ_RULES.inboundLatency, expr: `sum by (${by}) (response_latency_ms_bucket{job="${PROXY_JOB}", direction="inbound"})` },
        { record: VIZ_RULES.outboundLatency, expr: `sum by (${by}) (response_latency_ms_bucket{job="${PROXY_JOB}", direction="outbound"})` },
        // Routes in the same group, so they are sampled at the same instants as the totals above:
        // a Service's [DEFAULT] (all it was sent minus what the routes counted) is then the
        // difference of two series that increase() extrapolates alike.
        { record: VIZ_RULES.routeResponses, expr: `sum without (status_code, instance, job) (route_response_total{job="${PROXY_JOB}"})` },
        { record: VIZ_RULES.routeLatency, expr: `sum without (status_code, instance, job) (route_response_latency_ms_bucket{job="${PROXY_JOB}"})` },
      ],
    }],
  });
}

