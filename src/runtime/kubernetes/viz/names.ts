// Names of the viz extension's objects on Kubernetes (`weft viz install`), in one place: the
// manifests create them, `weft viz uninstall` finds them by VIZ_PART_OF, the CLI reaches the
// metrics API through the API server's proxy to VIZ_SERVICE.metricsApi. Its own namespace, as
// Linkerd's viz extension has linkerd-viz: installed, upgraded and removed apart from weft.
export const VIZ_NAMESPACE = 'weft-viz';
/** app.kubernetes.io/part-of of every viz object (weft's own install is `weft`). */
export const VIZ_PART_OF = 'weft-viz';

export const VIZ_COMPONENTS = ['prometheus', 'metrics-api'] as const;
export type VizComponent = (typeof VIZ_COMPONENTS)[number];

/** Deployment, Service and ServiceAccount of each component share the name. */
export const VIZ_NAME: Record<VizComponent, string> = {
  prometheus: 'weft-prometheus',
  'metrics-api': 'weft-metrics-api',
};

export const VIZ_PORTS = { prometheus: 9090, metricsApi: 8085, web: 8084 } as const;
/** Port names on the Services; the CLI names METRICS_API_PORT_NAME in the service-proxy path. */
export const METRICS_API_PORT_NAME = 'http';
export const WEB_PORT_NAME = 'web';
export const PROMETHEUS_PORT_NAME = 'http';

export const PROMETHEUS_CONFIG_MAP = 'weft-prometheus-config';
export const PROMETHEUS_CONFIG_DIR = '/etc/prometheus';
export const PROMETHEUS_CONFIG_KEY = 'prometheus.yml';
export const PROMETHEUS_RULES_KEY = 'rules.yml';
export const PROMETHEUS_DATA_DIR = '/data';

export function prometheusUrl(clusterDomain: string): string {
  return `http://${VIZ_NAME.prometheus}.${VIZ_NAMESPACE}.svc.${clusterDomain}:${VIZ_PORTS.prometheus}`;
}
