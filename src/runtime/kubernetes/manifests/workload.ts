// Building blocks of the control plane's Deployments: one container per component, the weft
// image, non-root, read-only, and with --ha three replicas spread over nodes (required
// anti-affinity) behind a PodDisruptionBudget, as Linkerd's HA mode does.
import { INJECT_ANNOTATION, INJECT_DISABLED } from '../../../control/injector/annotations.js';
import { NAMESPACE } from '../names.js';
import type { InstallValues } from '../values.js';
import { componentLabels, installLabels } from './labels.js';
import type { K8sObject } from './yaml.js';

/** The uid control-plane containers run as (not the proxy's, whose traffic iptables skips). */
export const CONTROL_PLANE_UID = 2103;

export type Json = Record<string, unknown>;

export function image(v: InstallValues): string {
  return `${v.image}:${v.version}`;
}

export interface ComponentSpec {
  readonly component: string;
  readonly name: string;
  readonly serviceAccount: string;
  readonly args: readonly string[];
  readonly ports: readonly Json[];
  readonly readinessProbe: Json;
  readonly livenessProbe: Json;
  readonly volumes?: readonly Json[];
  readonly volumeMounts?: readonly Json[];
  readonly resources?: Json;
}

export function deployment(v: InstallValues, c: ComponentSpec): K8sObject {
  const selector = componentLabels(c.component);
  const podSpec: Json = {
    serviceAccountName: c.serviceAccount,
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    securityContext: { runAsNonRoot: true, runAsUser: CONTROL_PLANE_UID, runAsGroup: CONTROL_PLANE_UID, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: c.component,
      image: image(v),
      imagePullPolicy: v.imagePullPolicy,
      args: [...c.args],
      ports: [...c.ports],
      readinessProbe: c.readinessProbe,
      livenessProbe: c.livenessProbe,
      resources: c.resources ?? { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '512Mi' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      ...(c.volumeMounts ? { volumeMounts: [...c.volumeMounts] } : {}),
    }],
    ...(c.volumes ? { volumes: [...c.volumes] } : {}),
  };
  if (v.ha) {
    podSpec['affinity'] = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' }],
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: c.name, namespace: NAMESPACE, labels: installLabels(v.version, selector) },
    spec: {
      replicas: v.ha ? 3 : 1,
      selector: { matchLabels: selector },
      ...(v.ha ? { strategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } } } : {}),
      template: {
        metadata: { labels: installLabels(v.version, selector), annotations: { [INJECT_ANNOTATION]: INJECT_DISABLED } },
        spec: podSpec,
      },
    },
  };
}

export function service(v: InstallValues, component: string, name: string, ports: readonly Json[]): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE, labels: installLabels(v.version, componentLabels(component)) },
    spec: { type: 'ClusterIP', selector: componentLabels(component), ports: [...ports] },
  };
}

/** HA only: at most one replica down at a time during voluntary disruptions (node drains). */
export function disruptionBudget(v: InstallValues, component: string, name: string): K8sObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: NAMESPACE, labels: installLabels(v.version, componentLabels(component)) },
    spec: { maxUnavailable: 1, selector: { matchLabels: componentLabels(component) } },
  };
}

export const tcpProbe = (port: number, extra: Json = {}): Json => ({ tcpSocket: { port }, ...extra });
