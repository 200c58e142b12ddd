// `weft install`'s options, validated once into a frozen object. They are stored in the
// weft-config ConfigMap, so `weft upgrade` starts from what was installed.
import { parse } from 'yaml';
import { ConfigError } from '../../lib/errors.js';
import { DEFAULT_TRUST_DOMAIN, validateWorkloadId } from '../../lib/spiffe.js';
import { isLogLevel, type LogLevel } from '../../lib/log.js';
import { DEFAULT_PROXY_UID } from '../local/iptables-rules.js';

export const WEFT_VERSION = '0.1.0';
export const DEFAULT_IMAGE = 'ghcr.io/weft-mesh/weft';

export interface ProxyResources {
  readonly cpuRequest: string | undefined;
  readonly cpuLimit: string | undefined;
  readonly memoryRequest: string | undefined;
  readonly memoryLimit: string | undefined;
}

export interface InstallValues {
  /** Image repository (no tag) of the one weft image: proxy, control plane and init. */
  readonly image: string;
  readonly version: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** 3 replicas, PodDisruptionBudgets and pod anti-affinity per control-plane component. */
  readonly ha: boolean;
  readonly trustDomain: string;
  readonly clusterDomain: string;
  readonly proxyLogLevel: LogLevel;
  readonly proxyUid: number;
  readonly proxyResources: ProxyResources;
  /** Also install Linkerd's serviceprofiles.linkerd.io CRD (off when Linkerd owns it already). */
  readonly linkerdCrds: boolean;
  /** Cron schedule of the heartbeat job (empty: no heartbeat). */
  readonly heartbeatSchedule: string;
  /** Lifetime of generated issuer certificates, in days. */
  readonly issuerLifetimeDays: number;
}

export const DEFAULT_VALUES: InstallValues = Object.freeze({
  image: DEFAULT_IMAGE,
  version: WEFT_VERSION,
  imagePullPolicy: 'IfNotPresent',
  ha: false,
  trustDomain: DEFAULT_TRUST_DOMAIN,
  clusterDomain: 'cluster.local',
  proxyLogLevel: 'info',
  proxyUid: DEFAULT_PROXY_UID,
  proxyResources: Object.freeze({ cpuRequest: '100m', cpuLimit: undefined, memoryRequest: '64Mi', memoryLimit: undefined }),
  linkerdCrds: true,
  heartbeatSchedule: '17 3 * * *',
  issuerLifetimeDays: 365,
});

const QUANTITY = /^\d+(\.\d+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/;
const DNS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CRON = /^(\S+\s+){4}\S+$/;

export function checkQuantity(v: string | undefined, what: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (!QUANTITY.test(v)) throw new ConfigError(`${what}: "${v}" is not a Kubernetes quantity (e.g. 100m, 64Mi)`);
  return v;
}

/** Validates and fills defaults. */
export function installValues(o: Partial<InstallValues> = {}): InstallValues {
  const v = { ...DEFAULT_VALUES, ...o, proxyResources: { ...DEFAULT_VALUES.proxyResources, ...o.proxyResources } };
  if (!v.image || /[\s@]/.test(v.image) || /:[^/]*$/.test(v.image)) throw new ConfigError(`image: "${v.image}" must be a repository without tag or digest`);
  if (!/^[\w][\w.-]{0,127}$/.test(v.version)) throw new ConfigError(`version: "${v.version}" is not an image tag`);
  if (!['Always', 'IfNotPresent', 'Never'].includes(v.imagePullPolicy)) throw new ConfigError(`image pull policy: "${v.imagePullPolicy}" (expected Always, IfNotPresent or Never)`);
  const why = validateWorkloadId({ trustDomain: v.trustDomain, namespace: 'x', serviceAccount: 'x' });
  if (why) throw new ConfigError(`trust domain: ${why}`);
  if (!DNS.test(v.clusterDomain)) throw new ConfigError(`cluster domain: "${v.clusterDomain}" is not a DNS name`);
  if (!isLogLevel(v.proxyLogLevel)) throw new ConfigError(`proxy log level: "${String(v.proxyLogLevel)}" (expected error|warn|info|debug|trace)`);
  if (!Number.isInteger(v.proxyUid) || v.proxyUid < 1) throw new ConfigError(`proxy uid: ${v.proxyUid} (expected a non-root uid)`);
  if (v.heartbeatSchedule !== '' && !CRON.test(v.heartbeatSchedule)) throw new ConfigError(`heartbeat schedule: "${v.heartbeatSchedule}" is not a cron schedule`);
  if (!Number.isInteger(v.issuerLifetimeDays) || v.issuerLifetimeDays < 1) throw new ConfigError(`issuer lifetime: ${v.issuerLifetimeDays} days`);
  const r = v.proxyResources;
  const resources: ProxyResources = Object.freeze({
    cpuRequest: checkQuantity(r.cpuRequest, 'proxy cpu request'),
    cpuLimit: checkQuantity(r.cpuLimit, 'proxy cpu limit'),
    memoryRequest: checkQuantity(r.memoryRequest, 'proxy memory request'),
    memoryLimit: checkQuantity(r.memoryLimit, 'proxy memory limit'),
  });
  return Object.freeze({ ...v, proxyResources: resources });
}

/** Values as stored in the weft-config ConfigMap (read back by `weft upgrade`). */
export function parseStoredValues(text: string): InstallValues {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ConfigError(`stored install values are not YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!doc || typeof doc !== 'object') throw new ConfigError('stored install values are not an object');
  return installValues(doc as Partial<InstallValues>);
}
