// The viz extension's Prometheus configuration (pure; the ConfigMap of `weft viz install`, and
// what the tests run a host Prometheus with — one function, so the tests exercise the
// manifest's relabelling and differ only in how Prometheus reaches the API server).
//
// It mirrors the local runtime's (runtime/local/prometheus-config.ts) so the metrics API's
// queries read alike on both runtimes:
// - job weft-proxy: kubernetes_sd_configs role pod, keeping only the port the injector names
//   `weft-admin` on the `weft-proxy` container (a sidecar, or a native sidecar: init containers
//   are targets too) of pods labelled with this control plane's namespace, and Running (as the
//   inventory counts pods). Relabelled to the labels of the local runtime's series:
//     namespace   <- __meta_kubernetes_namespace
//     pod         <- __meta_kubernetes_pod_name
//     deployment  <- the pod's Deployment (__meta_kubernetes_pod_deployment_name, from
//                    attach_metadata: the ReplicaSet's owner), else its controller (StatefulSet,
//                    DaemonSet, Job, a bare ReplicaSet), else the pod's own name — as the
//                    Kubernetes inventory's workloadOf() names workloads
//     weft.io/proxy-<k> pod labels -> <k> (the local runtime's labelmap of __meta_weft_proxy_*,
//                    Linkerd's of linkerd.io/proxy-*)
//   `serviceaccount` has no source here: Prometheus' pod discovery exposes no service account
//   (no query groups by it; the identities come from the proxies' own client_id/server_id).
// - job weft-control: the metrics API's own /metrics (its pod in weft-viz, port `http`), as the
//   local runtime's weft-control job scrapes the control plane's.
// - job prometheus: itself. Recording rules: control/metrics/recording-rules.ts.
import { PROXY_JOB } from '../../../control/metrics/recording-rules.js';
import { CONTROL_PLANE_NS_LABEL, PROXY_CONTAINER } from '../../../control/injector/annotations.js';
import { CONTROL_JOB, renderPrometheusDocument } from '../../local/prometheus-config.js';
import { NAMESPACE } from '../names.js';
import { METRICS_API_PORT_NAME, VIZ_NAMESPACE } from './names.js';

/** The pod label the viz install puts on its components (install.ts), and the job's `component`. */
export const VIZ_COMPONENT_LABEL = 'weft.io/viz-component';

/** The proxy container's admin port name (control/injector/containers.ts). */
export const ADMIN_PORT_NAME = 'weft-admin';

/** How a Prometheus outside the cluster reaches the API server (tests); in a pod: in-cluster config. */
export interface ApiServerAccess {
  readonly url: string;
  readonly caFile: string;
  readonly tokenFile: string;
}

export interface ClusterPrometheusConfigInput {
  readonly scrapeIntervalSeconds: number;
  readonly rulesFile: string;
  /** Prometheus' own address, for its self-scrape. */
  readonly selfAddr: string;
  readonly apiServer?: ApiServerAccess | undefined;
}

/** A Kubernetes pod label as Prometheus names it: weft.io/control-plane-ns -> __meta_kubernetes_pod_label_weft_io_control_plane_ns. */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

export function renderClusterPrometheusConfig(i: ClusterPrometheusConfigInput): string {
  const k = (s: string): string => `__meta_kubernetes_${s}`;
  const access = i.apiServer ? {
    api_server: i.apiServer.url,
    tls_config: { ca_file: i.apiServer.caFile },
    authorization: { credentials_file: i.apiServer.tokenFile },
  } : {};
  const sd = {
    role: 'pod',
    ...access,
    // __meta_kubernetes_pod_deployment_name: the Deployment behind a pod's ReplicaSet.
    attach_metadata: { deployment: true },
  };
  return renderPrometheusDocument(i, [
    {
      job_name: PROXY_JOB,
      metrics_path: '/metrics',
      kubernetes_sd_configs: [sd],
      relabel_configs: [
        {
          source_labels: [k('pod_container_name'), k('pod_container_port_name'), podLabelMeta(CONTROL_PLANE_NS_LABEL), k('pod_phase')],
          action: 'keep',
          regex: `${PROXY_CONTAINER};${ADMIN_PORT_NAME};${NAMESPACE};Running`,
        },
        { source_labels: [k('namespace')], action: 'replace', target_label: 'namespace' },
        { source_labels: [k('pod_name')], action: 'replace', target_label: 'pod' },
        // Later rules win: the pod's name, its controller's, its Deployment's.
        { source_labels: [k('pod_name')], action: 'replace', target_label: 'deployment' },
        { source_labels: [k('pod_controller_name')], regex: '(.+)', action: 'replace', target_label: 'deployment' },
        { source_labels: [k('pod_deployment_name')], regex: '(.+)', action: 'replace', target_label: 'deployment' },
        // weft.io/proxy-deployment=web => deployment=web (as __meta_weft_proxy_* locally).
        { action: 'labelmap', regex: `${podLabelMeta('weft.io/proxy-')}(.+)` },
      ],
    },
    {
      job_name: CONTROL_JOB,
      kubernetes_sd_configs: [{ role: 'pod', ...access, namespaces: { names: [VIZ_NAMESPACE] } }],
      relabel_configs: [
        { source_labels: [podLabelMeta(VIZ_COMPONENT_LABEL), k('pod_container_port_name')], action: 'keep', regex: `metrics-api;${METRICS_API_PORT_NAME}` },
        { source_labels: [podLabelMeta(VIZ_COMPONENT_LABEL)], action: 'replace', target_label: 'component' },
        { source_labels: [k('pod_name')], action: 'replace', target_label: 'pod' },
      ],
    },
  ]);
}
