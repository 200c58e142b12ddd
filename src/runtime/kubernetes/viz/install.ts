// `weft viz install`: the viz extension's objects, in `kubectl apply` order — its namespace,
// service accounts and least-privilege RBAC, Prometheus (config, recording rules, Deployment,
// Service) and the metrics API (`weft metrics-api --store kubernetes`, with the dashboard on a
// second port). Pure over the values, so the output is reproducible (golden files). Like
// Linkerd's viz extension it lives in its own namespace and is installed after weft (its
// Prometheus keeps only pods weft injected) and removed with `weft viz uninstall`.
//
// RBAC, each rule there because the component's code makes exactly that call:
//   prometheus   list+watch pods (kubernetes_sd role pod) and replicasets (attach_metadata:
//                a pod's Deployment is its ReplicaSet's owner)
//   metrics-api  list pods and services (the inventory: rows, meshed counts, target_addr ->
//                resource) and both ServiceProfile kinds (route names for `viz routes`)
import { ADMISSION_WEBHOOKS_LABEL, INJECT_ANNOTATION, INJECT_DISABLED } from '../../../control/injector/annotations.js';
import { renderRules } from '../../../control/metrics/recording-rules.js';
import type { Json } from '../manifests/workload.js';
import { CONTROL_PLANE_UID } from '../manifests/workload.js';
import type { K8sObject } from '../manifests/yaml.js';
import { PART_OF_LABEL } from '../names.js';
import { METRICS_API_PORT_NAME, PROMETHEUS_CONFIG_DIR, PROMETHEUS_CONFIG_KEY, PROMETHEUS_CONFIG_MAP, PROMETHEUS_DATA_DIR, PROMETHEUS_PORT_NAME, PROMETHEUS_RULES_KEY, prometheusUrl, VIZ_NAME, VIZ_NAMESPACE, VIZ_PART_OF, VIZ_PORTS, WEB_PORT_NAME } from './names.js';
import type { VizComponent } from './names.js';
import { renderClusterPrometheusConfig, VIZ_COMPONENT_LABEL } from './prometheus-config.js';
import type { VizValues } from './values.js';

/** The uid of the official Prometheus image (nobody). */
const PROMETHEUS_UID = 65534;

function labels(v: VizValues, extra: Record<string, string> = {}): Record<string, string> {
  return { [PART_OF_LABEL]: VIZ_PART_OF, 'app.kubernetes.io/version': v.version, ...extra };
}

const selector = (c: VizComponent): Record<string, string> => ({ [VIZ_COMPONENT_LABEL]: c });

function meta(v: VizValues, name: string, c?: VizComponent): K8sObject['metadata'] {
  return { name, namespace: VIZ_NAMESPACE, labels: labels(v, c ? selector(c) : {}) };
}

function rbac(v: VizValues, c: VizComponent, rules: Json[]): K8sObject[] {
  const name = `weft-viz-${c}`;
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: labels(v) }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name, labels: labels(v) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: VIZ_NAME[c], namespace: VIZ_NAMESPACE }],
    },
  ];
}

function deployment(v: VizValues, c: VizComponent, pod: Json): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(v, VIZ_NAME[c], c),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector(c) },
      // One Prometheus writing one emptyDir: never two at once during a rollout.
      ...(c === 'prometheus' ? { strategy: { type: 'Recreate' } } : {}),
      template: {
        metadata: { labels: labels(v, selector(c)), annotations: { [INJECT_ANNOTATION]: INJECT_DISABLED } },
        spec: { serviceAccountName: VIZ_NAME[c], nodeSelector: { 'kubernetes.io/os': 'linux' }, ...pod },
      },
    },
  };
}

function service(v: VizValues, c: VizComponent, ports: Json[]): K8sObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: meta(v, VIZ_NAME[c], c), spec: { type: 'ClusterIP', selector: selector(c), ports } };
}

const hardened = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
const podSecurity = (uid: number): Json => ({ runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } });

export function renderPrometheusConfigMap(v: VizValues): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(v, PROMETHEUS_CONFIG_MAP, 'prometheus'),
    data: {
      [PROMETHEUS_CONFIG_KEY]: renderClusterPrometheusConfig({
        scrapeIntervalSeconds: v.scrapeIntervalSeconds,
        rulesFile: `${PROMETHEUS_CONFIG_DIR}/${PROMETHEUS_RULES_KEY}`,
        selfAddr: `localhost:${VIZ_PORTS.prometheus}`,
      }),
      [PROMETHEUS_RULES_KEY]: renderRules(v.scrapeIntervalSeconds),
    },
  };
}

function prometheus(v: VizValues): K8sObject[] {
  const probe = (path: string, extra: Json): Json => ({ httpGet: { path, port: VIZ_PORTS.prometheus }, ...extra });
  return [
    ...rbac(v, 'prometheus', [
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list', 'watch'] },
    ]),
    renderPrometheusConfigMap(v),
    service(v, 'prometheus', [{ name: PROMETHEUS_PORT_NAME, port: VIZ_PORTS.prometheus, targetPort: PROMETHEUS_PORT_NAME, protocol: 'TCP' }]),
    deployment(v, 'prometheus', {
      securityContext: podSecurity(PROMETHEUS_UID),
      containers: [{
        name: 'prometheus',
        image: v.prometheusImage,
        imagePullPolicy: v.imagePullPolicy,
        args: [
          `--config.file=${PROMETHEUS_CONFIG_DIR}/${PROMETHEUS_CONFIG_KEY}`,
          `--storage.tsdb.path=${PROMETHEUS_DATA_DIR}`,
          `--storage.tsdb.retention.time=${v.retention}`,
          `--web.listen-address=0.0.0.0:${VIZ_PORTS.prometheus}`,
          '--log.level=warn',
        ],
        ports: [{ name: PROMETHEUS_PORT_NAME, containerPort: VIZ_PORTS.prometheus, protocol: 'TCP' }],
        readinessProbe: probe('/-/ready', { periodSeconds: 5 }),
        livenessProbe: probe('/-/healthy', { initialDelaySeconds: 30, periodSeconds: 10 }),
        resources: { requests: { cpu: '100m', memory: '256Mi' }, ...(v.prometheusMemoryLimit ? { limits: { memory: v.prometheusMemoryLimit } } : {}) },
        securityContext: hardened,
        volumeMounts: [
          { name: 'config', mountPath: PROMETHEUS_CONFIG_DIR, readOnly: true },
          { name: 'data', mountPath: PROMETHEUS_DATA_DIR },
        ],
      }],
      volumes: [{ name: 'config', configMap: { name: PROMETHEUS_CONFIG_MAP } }, { name: 'data', emptyDir: {} }],
    }),
  ];
}

function metricsApi(v: VizValues): K8sObject[] {
  const probe = (extra: Json): Json => ({ httpGet: { path: '/ready', port: VIZ_PORTS.metricsApi }, ...extra });
  return [
    ...rbac(v, 'metrics-api', [
      { apiGroups: [''], resources: ['pods', 'services'], verbs: ['list'] },
      { apiGroups: ['weft.io', 'linkerd.io'], resources: ['serviceprofiles'], verbs: ['list'] },
    ]),
    service(v, 'metrics-api', [
      { name: METRICS_API_PORT_NAME, port: VIZ_PORTS.metricsApi, targetPort: METRICS_API_PORT_NAME, protocol: 'TCP' },
      ...(v.dashboard ? [{ name: WEB_PORT_NAME, port: VIZ_PORTS.web, targetPort: WEB_PORT_NAME, protocol: 'TCP' }] : []),
    ]),
    deployment(v, 'metrics-api', {
      securityContext: podSecurity(CONTROL_PLANE_UID),
      containers: [{
        name: 'metrics-api',
        image: `${v.image}:${v.version}`,
        imagePullPolicy: v.imagePullPolicy,
        args: [
          'metrics-api',
          '--store', 'kubernetes',
          '--prometheus-url', prometheusUrl(v.clusterDomain),
          '--scrape-interval', `${v.scrapeIntervalSeconds}s`,
          '--trust-domain', v.trustDomain,
          '--cluster-domain', v.clusterDomain,
          '--listen', `0.0.0.0:${VIZ_PORTS.metricsApi}`,
          ...(v.dashboard ? ['--listen-web', `0.0.0.0:${VIZ_PORTS.web}`] : []),
        ],
        ports: [
          { name: METRICS_API_PORT_NAME, containerPort: VIZ_PORTS.metricsApi, protocol: 'TCP' },
          ...(v.dashboard ? [{ name: WEB_PORT_NAME, containerPort: VIZ_PORTS.web, protocol: 'TCP' }] : []),
        ],
        readinessProbe: probe({ periodSeconds: 5 }),
        livenessProbe: probe({ initialDelaySeconds: 10, periodSeconds: 10 }),
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        securityContext: hardened,
      }],
    }),
  ];
}

export function renderVizInstall(v: VizValues): K8sObject[] {
  const namespace: K8sObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    // Neither webhook acts here: nothing in it is injected (Prometheus scrapes the proxies'
    // plaintext admin port, as the local runtime's does) and it holds no ServiceProfile.
    metadata: { name: VIZ_NAMESPACE, labels: labels(v, { [ADMISSION_WEBHOOKS_LABEL]: 'disabled' }) },
  };
  const accounts = (['prometheus', 'metrics-api'] as const).map((c): K8sObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(v, VIZ_NAME[c], c) }));
  return [namespace, ...accounts, ...prometheus(v), ...metricsApi(v)];
}
