// The install's Secrets and ConfigMaps: the issuer (cert-manager's kubernetes.io/tls shape,
// with the trust anchors as ca.crt), the webhooks' serving certificate, and weft-config — the
// injector's configuration (config.yaml) and the install's options (values.yaml, for upgrade).
import { stringify } from 'yaml';
import { ADMISSION_WEBHOOKS_LABEL } from '../../../control/injector/annotations.js';
import type { InjectorConfig } from '../../../control/injector/config.js';
import { injectorConfigDocument } from '../../../control/injector/config.js';
import { formatDnsName } from '../../../lib/spiffe.js';
import type { PemPair } from '../../../lib/serving-cert.js';
import { CONFIG_KEY, CONFIG_MAP, HEARTBEAT_CONFIG_MAP, INJECTOR_TLS_SECRET, ISSUER_SECRET, NAMESPACE, PORTS, VALUES_KEY, serviceDns, tapIdentityOnCluster } from '../names.js';
import type { IdentityPki } from '../identity-pki.js';
import type { InstallValues } from '../values.js';
import { installLabels } from './labels.js';
import type { K8sObject } from './yaml.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export interface WebhookTls {
  readonly caPem: string;
  readonly cert: PemPair;
}

export function renderNamespace(v: InstallValues): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    // The webhooks leave the control plane's own namespace alone (no chicken-and-egg on restarts).
    metadata: { name: NAMESPACE, labels: installLabels(v.version, { [ADMISSION_WEBHOOKS_LABEL]: 'disabled' }) },
  };
}

export function renderIssuerSecret(v: InstallValues, pki: IdentityPki): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: ISSUER_SECRET, namespace: NAMESPACE, labels: installLabels(v.version) },
    data: { 'ca.crt': b64(pki.trustAnchorsPem), 'tls.crt': b64(pki.issuerCertPem), 'tls.key': b64(pki.issuerKeyPem) },
  };
}

export function renderWebhookSecret(v: InstallValues, tls: WebhookTls): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: INJECTOR_TLS_SECRET, namespace: NAMESPACE, labels: installLabels(v.version) },
    data: { 'ca.crt': b64(tls.caPem), 'tls.crt': b64(tls.cert.certPem), 'tls.key': b64(tls.cert.keyPem) },
  };
}

/** What proxies injected in this cluster are configured with. */
export function injectorConfig(v: InstallValues, trustAnchorsPem: string): InjectorConfig {
  return Object.freeze({
    image: `${v.image}:${v.version}`,
    imagePullPolicy: v.imagePullPolicy,
    proxyVersion: v.version,
    trustDomain: v.trustDomain,
    identityAddr: `${serviceDns('identity', v.clusterDomain)}:${PORTS.identity}`,
    identityName: formatDnsName({ trustDomain: v.trustDomain, namespace: NAMESPACE, serviceAccount: 'identity' }),
    destinationAddr: `${serviceDns('destination', v.clusterDomain)}:${PORTS.destination}`,
    trustAnchorsPem,
    proxyUid: v.proxyUid,
    logLevel: v.proxyLogLevel,
    cpuRequest: v.proxyResources.cpuRequest,
    cpuLimit: v.proxyResources.cpuLimit,
    memoryRequest: v.proxyResources.memoryRequest,
    memoryLimit: v.proxyResources.memoryLimit,
    // The injector decides per cluster at start (native sidecars from 1.29); this is the fallback.
    defaultProxyMode: 'native',
    tapIdentity: tapIdentityOnCluster(v.trustDomain),
  });
}

export function renderConfigMaps(v: InstallValues, trustAnchorsPem: string): K8sObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CONFIG_MAP, namespace: NAMESPACE, labels: installLabels(v.version) },
      data: {
        [CONFIG_KEY]: stringify(injectorConfigDocument(injectorConfig(v, trustAnchorsPem)), { lineWidth: 0 }),
        [VALUES_KEY]: stringify(v, { lineWidth: 0 }),
      },
    },
    // Made here so the heartbeat job only needs to update it, by name. No `data`: the job writes
    // it, and a re-apply of the install must neither clear it nor see a change.
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: HEARTBEAT_CONFIG_MAP, namespace: NAMESPACE, labels: installLabels(v.version) } },
  ];
}
