// The options `weft install` and `weft upgrade` share, and their translation into install
// values (validated once, in values.ts). Not a command: the two command files use it.
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import type { LogLevel } from '../lib/log.js';
import type { InstallValues } from '../runtime/kubernetes/values.js';
import { DEFAULT_VALUES } from '../runtime/kubernetes/values.js';
import { parseDuration } from './identity.js';

export interface InstallFlags {
  ha?: boolean;
  image?: string;
  imageTag?: string;
  imagePullPolicy?: InstallValues['imagePullPolicy'];
  trustDomain?: string;
  clusterDomain?: string;
  proxyLogLevel?: LogLevel;
  proxyCpuRequest?: string;
  proxyCpuLimit?: string;
  proxyMemoryRequest?: string;
  proxyMemoryLimit?: string;
  linkerdCrds?: boolean;
  heartbeatSchedule?: string;
  identityIssuerLifetime?: string;
  identityTrustAnchorsFile?: string;
  identityIssuerCertificateFile?: string;
  identityIssuerKeyFile?: string;
}

/** Adds the options; none has a commander default, so "not given" is visible (upgrade keeps the installed value). */
export function addInstallOptions(cmd: Command): Command {
  const d = DEFAULT_VALUES;
  return cmd
    .option('--ha', 'high availability: 3 replicas per component, PodDisruptionBudgets, pod anti-affinity')
    .option('--image <repository>', `image repository of weft (proxy, control plane, init) (default ${d.image})`)
    .option('--image-tag <tag>', `image tag (default ${d.version})`)
    .option('--image-pull-policy <policy>', `Always, IfNotPresent or Never (default ${d.imagePullPolicy})`)
    .option('--trust-domain <domain>', `identity trust domain (default ${d.trustDomain})`)
    .option('--cluster-domain <domain>', `cluster DNS domain (default ${d.clusterDomain})`)
    .option('--proxy-log-level <level>', `proxies' log level (default ${d.proxyLogLevel})`)
    .option('--proxy-cpu-request <q>', `proxies' CPU request (default ${d.proxyResources.cpuRequest})`)
    .option('--proxy-cpu-limit <q>', "proxies' CPU limit (default none)")
    .option('--proxy-memory-request <q>', `proxies' memory request (default ${d.proxyResources.memoryRequest})`)
    .option('--proxy-memory-limit <q>', "proxies' memory limit (default none)")
    .option('--no-linkerd-crds', "leave out Linkerd's serviceprofiles.linkerd.io CRD (when Linkerd owns it)")
    .option('--heartbeat-schedule <cron>', `schedule of the local heartbeat check ("" for none) (default "${d.heartbeatSchedule}")`)
    .option('--identity-issuer-lifetime <duration>', `lifetime of a generated issuer certificate (default ${d.issuerLifetimeDays}d)`)
    .option('--identity-trust-anchors-file <file>', 'trust anchors (PEM) to use instead of generating them')
    .option('--identity-issuer-certificate-file <file>', 'issuer certificate (PEM), signed by a trust anchor')
    .option('--identity-issuer-key-file <file>', 'issuer private key (PEM)');
}

/** The values the flags set (only those given), to lay over defaults or installed values. */
export function valuesFromFlags(f: InstallFlags): Partial<InstallValues> {
  const v: Partial<Record<keyof InstallValues, unknown>> = {};
  if (f.ha !== undefined) v.ha = f.ha;
  if (f.image !== undefined) v.image = f.image;
  if (f.imageTag !== undefined) v.version = f.imageTag;
  if (f.imagePullPolicy !== undefined) v.imagePullPolicy = f.imagePullPolicy;
  if (f.trustDomain !== undefined) v.trustDomain = f.trustDomain;
  if (f.clusterDomain !== undefined) v.clusterDomain = f.clusterDomain;
  if (f.proxyLogLevel !== undefined) v.proxyLogLevel = f.proxyLogLevel;
  // commander's --no-linkerd-crds defaults linkerdCrds to true: only `false` was given.
  if (f.linkerdCrds === false) v.linkerdCrds = false;
  if (f.heartbeatSchedule !== undefined) v.heartbeatSchedule = f.heartbeatSchedule;
  if (f.identityIssuerLifetime !== undefined) {
    const days = parseDuration(f.identityIssuerLifetime) / 86_400_000;
    if (!Number.isInteger(days)) throw new ConfigError(`--identity-issuer-lifetime ${f.identityIssuerLifetime}: give whole days, e.g. 365d`);
    v.issuerLifetimeDays = days;
  }
  const r: Record<string, string> = {};
  if (f.proxyCpuRequest !== undefined) r['cpuRequest'] = f.proxyCpuRequest;
  if (f.proxyCpuLimit !== undefined) r['cpuLimit'] = f.proxyCpuLimit;
  if (f.proxyMemoryRequest !== undefined) r['memoryRequest'] = f.proxyMemoryRequest;
  if (f.proxyMemoryLimit !== undefined) r['memoryLimit'] = f.proxyMemoryLimit;
  if (Object.keys(r).length) v.proxyResources = r;
  return v as Partial<InstallValues>;
}
