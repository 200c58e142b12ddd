// The four control-plane components as Deployments and Services: identity (the CA, checking
// service-account tokens with TokenReview), destination (discovery over the cluster's
// Services, EndpointSlices, Pods and ServiceProfiles), injector (the admission webhooks:
// proxy injection and ServiceProfile validation, on one HTTPS port) and tap (observes the
// proxies over mTLS with its own identity, from a service-account token, and serves the tap
// API the CLI reaches through the API server).
import { COMPONENTS, CONFIG_KEY, CONFIG_MAP, DEPLOYMENT, INJECTOR_TLS_SECRET, ISSUER_SECRET, NAMESPACE, PORTS, SERVICE, SERVICE_ACCOUNT, TAP_PORT_NAME, TOKEN_DIR, TOKEN_FILE } from '../names.js';
import { tokenVolume } from '../../../control/injector/containers.js';
import { TOKEN_VOLUME } from '../../../control/injector/annotations.js';
import type { Component } from '../names.js';
import type { InstallValues } from '../values.js';
import { deployment, disruptionBudget, service, tcpProbe } from './workload.js';
import type { ComponentSpec } from './workload.js';
import type { K8sObject } from './yaml.js';

export const INJECTOR_TLS_DIR = '/var/run/weft/tls';
export const INJECTOR_CONFIG_DIR = '/var/run/weft/config';

function spec(v: InstallValues, c: Component): ComponentSpec {
  const base = { component: c, name: DEPLOYMENT[c], serviceAccount: SERVICE_ACCOUNT[c] };
  switch (c) {
    case 'identity':
      return {
        ...base,
        args: [
          'identity', 'serve',
          '--issuer-secret', `${NAMESPACE}/${ISSUER_SECRET}`,
          '--token-verifier', 'kubernetes',
          '--trust-domain', v.trustDomain,
          '--listen', `0.0.0.0:${PORTS.identity}`,
        ],
        ports: [{ name: 'grpc', containerPort: PORTS.identity, protocol: 'TCP' }],
        readinessProbe: tcpProbe(PORTS.identity, { periodSeconds: 5 }),
        livenessProbe: tcpProbe(PORTS.identity, { initialDelaySeconds: 10, periodSeconds: 10 }),
      };
    case 'destination':
      return {
        ...base,
        args: [
          'destination',
          '--store', 'kubernetes',
          '--trust-domain', v.trustDomain,
          '--cluster-domain', v.clusterDomain,
          '--listen', `0.0.0.0:${PORTS.destination}`,
        ],
        ports: [{ name: 'grpc', containerPort: PORTS.destination, protocol: 'TCP' }],
        readinessProbe: tcpProbe(PORTS.destination, { periodSeconds: 5 }),
        livenessProbe: tcpProbe(PORTS.destination, { initialDelaySeconds: 10, periodSeconds: 10 }),
      };
    case 'injector':
      return {
        ...base,
        args: [
          'injector',
          '--listen', `0.0.0.0:${PORTS.webhook}`,
          '--tls-cert-file', `${INJECTOR_TLS_DIR}/tls.crt`,
          '--tls-key-file', `${INJECTOR_TLS_DIR}/tls.key`,
          '--config', `${INJECTOR_CONFIG_DIR}/${CONFIG_KEY}`,
        ],
        ports: [{ name: 'webhook', containerPort: PORTS.webhook, protocol: 'TCP' }],
        readinessProbe: { httpGet: { scheme: 'HTTPS', path: '/healthz', port: PORTS.webhook }, periodSeconds: 5 },
        livenessProbe: { httpGet: { scheme: 'HTTPS', path: '/healthz', port: PORTS.webhook }, initialDelaySeconds: 10, periodSeconds: 10 },
        volumes: [
          { name: 'tls', secret: { secretName: INJECTOR_TLS_SECRET } },
          { name: 'config', configMap: { name: CONFIG_MAP } },
        ],
        volumeMounts: [
          { name: 'tls', mountPath: INJECTOR_TLS_DIR, readOnly: true },
          { name: 'config', mountPath: INJECTOR_CONFIG_DIR, readOnly: true },
        ],
      };
    case 'tap':
      return {
        ...base,
        args: [
          'tap',
          '--store', 'kubernetes',
          // Trust domain, identity address and name, trust anchors: what proxies are given.
          '--config', `${INJECTOR_CONFIG_DIR}/${CONFIG_KEY}`,
          '--token-file', `${TOKEN_DIR}/${TOKEN_FILE}`,
          '--cluster-domain', v.clusterDomain,
          '--listen', `0.0.0.0:${PORTS.tap}`,
        ],
        ports: [{ name: TAP_PORT_NAME, containerPort: PORTS.tap, protocol: 'TCP' }],
        readinessProbe: tcpProbe(PORTS.tap, { periodSeconds: 5 }),
        livenessProbe: tcpProbe(PORTS.tap, { initialDelaySeconds: 10, periodSeconds: 10 }),
        volumes: [{ name: 'config', configMap: { name: CONFIG_MAP } }, tokenVolume()],
        volumeMounts: [
          { name: 'config', mountPath: INJECTOR_CONFIG_DIR, readOnly: true },
          { name: TOKEN_VOLUME, mountPath: TOKEN_DIR, readOnly: true },
        ],
      };
  }
}

function servicePorts(c: Component): Record<string, unknown>[] {
  switch (c) {
    case 'identity':
      return [{ name: 'grpc', port: PORTS.identity, targetPort: 'grpc', protocol: 'TCP' }];
    case 'destination':
      return [{ name: 'grpc', port: PORTS.destination, targetPort: 'grpc', protocol: 'TCP' }];
    case 'injector':
      return [{ name: 'webhook', port: PORTS.webhookService, targetPort: 'webhook', protocol: 'TCP' }];
    case 'tap':
      return [{ name: TAP_PORT_NAME, port: PORTS.tap, targetPort: TAP_PORT_NAME, protocol: 'TCP' }];
  }
}

export function renderServices(v: InstallValues): K8sObject[] {
  return COMPONENTS.map((c) => service(v, c, SERVICE[c], servicePorts(c)));
}

export function renderDeployments(v: InstallValues): K8sObject[] {
  return COMPONENTS.map((c) => deployment(v, spec(v, c)));
}

export function renderDisruptionBudgets(v: InstallValues): K8sObject[] {
  return v.ha ? COMPONENTS.map((c) => disruptionBudget(v, c, DEPLOYMENT[c])) : [];
}
