// The run's Prometheus configuration, as weft writes it (pure, tested without Prometheus):
//
// - job weft-proxy: every proxy's admin port, found in a file_sd targets file the runtime
//   rewrites whenever pods come and go (Prometheus follows the file; no reload). Each target
//   carries the pod's identity as __meta_weft_* labels, which relabel_configs turn into the
//   `namespace`, `pod`, `deployment` and `serviceaccount` labels of every series — the same
//   shape Linkerd's Prometheus gives proxy series from kubernetes_sd (`__meta_kubernetes_
//   namespace` -> namespace, `__meta_kubernetes_pod_name` -> pod, labelmap of
//   `__meta_kubernetes_pod_label_linkerd_io_proxy_(.+)` -> deployment), so queries read alike.
// - job weft-control: the control plane's /metrics (served with the metrics API).
// - job prometheus: itself.
// - the metrics API's recording rules (control/metrics/recording-rules.ts).
import { stringify } from 'yaml';
import { PROXY_JOB } from '../../control/metrics/recording-rules.js';

export { PROXY_JOB };
export const CONTROL_JOB = 'weft-control';

/** One pod's proxy as a scrape target. */
export interface ProxyTarget {
  readonly adminAddr: string;
  readonly namespace: string;
  readonly deployment: string;
  readonly pod: string;
  readonly serviceAccount: string;
}

export interface PrometheusConfigInput {
  readonly scrapeIntervalSeconds: number;
  /** The file_sd file with the proxies (targetsFile()). */
  readonly targetsFile: string;
  readonly rulesFile: string;
  /** The control plane's metrics address (host:port), when it serves one. */
  readonly controlAddr?: string | undefined;
  /** Prometheus' own address. */
  readonly selfAddr: string;
}

export function renderPrometheusConfig(i: PrometheusConfigInput): string {
  const meta = (k: string): string => `__meta_weft_${k}`;
  return renderPrometheusDocument(i, [
    {
      job_name: PROXY_JOB,
      metrics_path: '/metrics',
      file_sd_configs: [{ files: [i.targetsFile], refresh_interval: '5s' }],
      relabel_configs: [
        { source_labels: [meta('namespace')], action: 'replace', target_label: 'namespace' },
        { source_labels: [meta('pod')], action: 'replace', target_label: 'pod' },
        { source_labels: [meta('serviceaccount')], action: 'replace', target_label: 'serviceaccount' },
        // __meta_weft_proxy_deployment=web => deployment=web (Linkerd's labelmap of proxy labels).
        { action: 'labelmap', regex: `${meta('proxy')}_(.+)` },
      ],
    },
    ...(i.controlAddr ? [{ job_name: CONTROL_JOB, static_configs: [{ targets: [i.controlAddr], labels: { component: 'control' } }] }] : []),
  ]);
}

/**
 * The document around both runtimes' scrape jobs (this one's, and the viz extension's on
 * Kubernetes): one interval for scrapes and rule evaluation, the recording rules, the jobs
 * given, and Prometheus' own.
 */
export function renderPrometheusDocument(i: { readonly scrapeIntervalSeconds: number; readonly rulesFile: string; readonly selfAddr: string }, jobs: readonly object[]): string {
  const interval = `${i.scrapeIntervalSeconds}s`;
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: [i.rulesFile],
    scrape_configs: [...jobs, { job_name: 'prometheus', static_configs: [{ targets: [i.selfAddr] }] }],
  });
}

/** The file_sd JSON for the proxies. */
export function renderTargets(targets: readonly ProxyTarget[]): string {
  return JSON.stringify(targets.map((t) => ({
    targets: [t.adminAddr],
    labels: {
      __meta_weft_namespace: t.namespace,
      __meta_weft_pod: t.pod,
      __meta_weft_serviceaccount: t.serviceAccount,
      __meta_weft_proxy_deployment: t.deployment,
    },
  })), null, 2) + '\n';
}
