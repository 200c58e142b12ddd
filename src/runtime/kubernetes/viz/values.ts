// `weft viz install`'s options, validated once into a frozen object. The weft image runs the
// metrics API (and the dashboard); Prometheus is the official image, at the release whose
// kubernetes_sd_configs and attach_metadata the scrape config relies on.
import { ConfigError } from '../../../lib/errors.js';
import { DEFAULT_TRUST_DOMAIN, validateWorkloadId } from '../../../lib/spiffe.js';
import { checkQuantity, DEFAULT_IMAGE, WEFT_VERSION } from '../values.js';

export const DEFAULT_PROMETHEUS_IMAGE = 'prom/prometheus:v3.16.0';

export interface VizValues {
  /** weft's image repository (no tag): the metrics API and dashboard. */
  readonly image: string;
  readonly version: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** Full reference (repository:tag or @digest) of the Prometheus image. */
  readonly prometheusImage: string;
  readonly scrapeIntervalSeconds: number;
  /** Prometheus' --storage.tsdb.retention.time (the TSDB is an emptyDir: lost with the pod). */
  readonly retention: string;
  readonly prometheusMemoryLimit: string | undefined;
  /** Must be the mesh's: the metrics API names identities spiffe://<trust domain>/ns/…/sa/…. */
  readonly trustDomain: string;
  readonly clusterDomain: string;
  /** Serve the dashboard from the metrics API's pod (port `web`). */
  readonly dashboard: boolean;
}

export const DEFAULT_VIZ_VALUES: VizValues = Object.freeze({
  image: DEFAULT_IMAGE,
  version: WEFT_VERSION,
  imagePullPolicy: 'IfNotPresent',
  prometheusImage: DEFAULT_PROMETHEUS_IMAGE,
  scrapeIntervalSeconds: 10,
  retention: '6h',
  prometheusMemoryLimit: undefined,
  trustDomain: DEFAULT_TRUST_DOMAIN,
  clusterDomain: 'cluster.local',
  dashboard: true,
});

const DNS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IMAGE_REF = /^[\w][\w./:-]*(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/;

/** Validates and fills defaults. */
export function vizValues(o: Partial<VizValues> = {}): VizValues {
  const v = { ...DEFAULT_VIZ_VALUES, ...o };
  if (!v.image || /[\s@]/.test(v.image) || /:[^/]*$/.test(v.image)) throw new ConfigError(`image: "${v.image}" must be a repository without tag or digest`);
  if (!/^[\w][\w.-]{0,127}$/.test(v.version)) throw new ConfigError(`version: "${v.version}" is not an image tag`);
  if (!['Always', 'IfNotPresent', 'Never'].includes(v.imagePullPolicy)) throw new ConfigError(`image pull policy: "${v.imagePullPolicy}" (expected Always, IfNotPresent or Never)`);
  if (!IMAGE_REF.test(v.prometheusImage)) throw new ConfigError(`prometheus image: "${v.prometheusImage}" must name a tag or digest (e.g. ${DEFAULT_PROMETHEUS_IMAGE})`);
  if (!Number.isInteger(v.scrapeIntervalSeconds) || v.scrapeIntervalSeconds < 1 || v.scrapeIntervalSeconds > 300) {
    throw new ConfigError(`scrape interval: ${v.scrapeIntervalSeconds} s (expected a whole number of seconds, 1 to 300)`);
  }
  if (!/^[1-9]\d*(s|m|h|d|w|y)$/.test(v.retention)) throw new ConfigError(`prometheus retention: "${v.retention}" (expected a whole number and a unit, e.g. 6h, 2d)`);
  const why = validateWorkloadId({ trustDomain: v.trustDomain, namespace: 'x', serviceAccount: 'x' });
  if (why) throw new ConfigError(`trust domain: ${why}`);
  if (!DNS.test(v.clusterDomain)) throw new ConfigError(`cluster domain: "${v.clusterDomain}" is not a DNS name`);
  return Object.freeze({ ...v, prometheusMemoryLimit: checkQuantity(v.prometheusMemoryLimit, 'prometheus memory limit') });
}
