// `weft upgrade`: the install re-rendered with the installed options (read back from the
// weft-config ConfigMap) under the flags given now, keeping the certificates in use — the
// identity issuer and trust anchors always (new anchors would cut every meshed pod off), the
// webhook certificate unless it expires within 30 days or no longer names the Service — and
// what applying it would change in the cluster, object by object.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ConfigError } from '../../lib/errors.js';
import { isNotFound, kubeCall } from '../../lib/kube.js';
import { x509 } from '../../lib/x509.js';
import { changedFields, specOf } from './diff.js';
import type { IdentityPki } from './identity-pki.js';
import type { InstallCerts } from './install.js';
import { renderInstall } from './install.js';
import type { WebhookTls } from './manifests/config.js';
import type { K8sObject } from './manifests/yaml.js';
import { readInstalledValues } from './cluster-config.js';
import { INJECTOR_TLS_SECRET, ISSUER_SECRET, NAMESPACE, PART_OF, PART_OF_LABEL } from './names.js';
import { CLUSTER_KINDS } from './uninstall.js';
import type { InstallValues } from './values.js';
import { installValues } from './values.js';
import { generateWebhookTls, webhookDnsNames } from './webhook-tls.js';

const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

export type ChangeKind = 'create' | 'configure' | 'unchanged' | 'prune';

export interface PlannedChange {
  readonly change: ChangeKind;
  readonly object: string;
  readonly fields: readonly string[];
}

export interface UpgradePlan {
  readonly from: InstallValues;
  readonly to: InstallValues;
  readonly objects: K8sObject[];
  readonly changes: PlannedChange[];
  readonly webhookCertRenewed: boolean;
}

/** Namespaced kinds an install creates (for objects a new version no longer has). */
const NAMESPACED_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
];

const describe = (kind: string, ns: string | undefined, name: string): string => `${kind} ${ns ? `${ns}/` : ''}${name}`;

async function secretData(kc: KubeConfig, name: string): Promise<Record<string, string> | undefined> {
  const api = kc.makeApiClient(CoreV1Api);
  try {
    const s = await kubeCall(kc, `read secret ${NAMESPACE}/${name}`, () => api.readNamespacedSecret({ namespace: NAMESPACE, name }));
    return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    const pub = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    return Buffer.from(new x509.X509Certificate(certPem).publicKey.rawData).equals(pub);
  } catch {
    return false;
  }
}

async function keptWebhookTls(kc: KubeConfig, v: InstallValues, now: number): Promise<WebhookTls | undefined> {
  const d = await secretData(kc, INJECTOR_TLS_SECRET);
  const [ca, crt, key] = [d?.['ca.crt'], d?.['tls.crt'], d?.['tls.key']];
  if (!ca || !crt || !key || !keyMatches(crt, key)) return undefined;
  const cert = new x509.X509Certificate(crt);
  if (cert.notAfter.getTime() - now < RENEW_BEFORE_MS) return undefined;
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = new Set(san?.names.items.filter((n) => n.type === 'dns').map((n) => n.value) ?? []);
  if (!webhookDnsNames(v.clusterDomain).every((n) => names.has(n))) return undefined;
  return { caPem: ca, cert: { certPem: crt, keyPem: key } };
}

async function keptIdentity(kc: KubeConfig): Promise<IdentityPki> {
  const d = await secretData(kc, ISSUER_SECRET);
  const [anchors, crt, key] = [d?.['ca.crt'], d?.['tls.crt'], d?.['tls.key']];
  if (!anchors || !crt || !key) {
    throw new ConfigError(`secret ${NAMESPACE}/${ISSUER_SECRET} is missing or incomplete: weft upgrade keeps the identity issuer, so restore it first`);
  }
  return { trustAnchorsPem: anchors, issuerCertPem: crt, issuerKeyPem: key };
}

function metaOf(o: K8sObject): { name: string; namespace: string | undefined } {
  return { name: o.metadata.name, namespace: o.metadata.namespace };
}

export async function planUpgrade(kc: KubeConfig, given: Partial<InstallValues>, now = Date.now()): Promise<UpgradePlan> {
  const from = await readInstalledValues(kc);
  const to = installValues({ ...from, ...given, proxyResources: { ...from.proxyResources, ...given.proxyResources } });
  const kept = await keptWebhookTls(kc, to, now);
  const certs: InstallCerts = { identity: await keptIdentity(kc), webhook: kept ?? (await generateWebhookTls(to.clusterDomain, now)) };
  const objects = renderInstall(to, certs);

  const api = KubernetesObjectApi.makeApiClient(kc);
  const changes: PlannedChange[] = [];
  const wanted = new Set<string>();
  for (const o of objects) {
    const { name, namespace } = metaOf(o);
    const id = describe(o.kind, namespace, name);
    wanted.add(id);
    let live: KubernetesObject | undefined;
    try {
      live = await kubeCall(kc, `read ${id}`, () => api.read({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name, ...(namespace ? { namespace } : {}) } }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!live) {
      changes.push({ change: 'create', object: id, fields: [] });
      continue;
    }
    const fields = changedFields(specOf(o), JSON.parse(JSON.stringify(live)) as unknown);
    changes.push({ change: fields.length ? 'configure' : 'unchanged', object: id, fields });
  }
  const selector = `${PART_OF_LABEL}=${PART_OF}`;
  for (const { apiVersion, kind } of [...CLUSTER_KINDS, ...NAMESPACED_KINDS]) {
    const ns = CLUSTER_KINDS.some((k) => k.kind === kind) ? undefined : NAMESPACE;
    const list = await kubeCall(kc, `list ${kind}`, () => api.list(apiVersion, kind, ns, undefined, undefined, undefined, undefined, selector));
    for (const o of list.items) {
      const id = describe(kind, ns, o.metadata?.name ?? '');
      if (!wanted.has(id)) changes.push({ change: 'prune', object: id, fields: [] });
    }
  }
  return { from, to, objects, changes, webhookCertRenewed: !kept };
}

export function describePlan(p: UpgradePlan): string {
  const lines = [`weft upgrade: ${p.from.version} -> ${p.to.version}${p.webhookCertRenewed ? ' (new webhook certificate)' : ''}`];
  const mark: Record<ChangeKind, string> = { create: '+', configure: '~', prune: '-', unchanged: '=' };
  for (const c of p.changes) {
    if (c.change === 'unchanged') continue;
    const extra = c.change === 'configure' ? `: ${c.fields.join(', ')}` : c.change === 'prune' ? ' (no longer part of the install; kubectl apply leaves it: delete it yourself)' : '';
    lines.push(`  ${mark[c.change]} ${c.object}${extra}`);
  }
  const same = p.changes.filter((c) => c.change === 'unchanged').length;
  lines.push(`  = ${same} unchanged`);
  return lines.join('\n') + '\n';
}
