// What the injector needs to know to add a proxy: images, where identity and destination are,
// the trust anchors, defaults for the proxy's resources. `weft install` writes it into the
// weft-config ConfigMap (key config.yaml); the injector reads it from there (mounted as a file),
// and `weft inject` from the cluster or --config. Parsed once into a frozen object.
import { parse } from 'yaml';
import { createHash } from 'node:crypto';
import { ConfigError } from '../../lib/errors.js';
import { isLogLevel, type LogLevel } from '../../lib/log.js';
import { FieldError, int, obj, optObj, optStr, str } from '../store/fields.js';

export const PROXY_MODES = ['native', 'classic'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

export interface InjectorConfig {
  /** Image (with tag) that runs `weft proxy` and `weft init`. */
  readonly image: string;
  readonly imagePullPolicy: string;
  readonly proxyVersion: string;
  readonly trustDomain: string;
  /** host:port of the identity service, and its TLS name. */
  readonly identityAddr: string;
  readonly identityName: string;
  readonly destinationAddr: string;
  readonly trustAnchorsPem: string;
  readonly proxyUid: number;
  readonly logLevel: LogLevel;
  readonly cpuRequest: string | undefined;
  readonly cpuLimit: string | undefined;
  readonly memoryRequest: string | undefined;
  readonly memoryLimit: string | undefined;
  /** Used when a pod does not say (config.weft.io/proxy-mode); the injector sets it from the cluster's version. */
  readonly defaultProxyMode: ProxyMode;
  /** The tap component's identity (spiffe://...): proxies serve tap to it alone; undefined: no tap. */
  readonly tapIdentity: string | undefined;
}

export function isProxyMode(s: string): s is ProxyMode {
  return (PROXY_MODES as readonly string[]).includes(s);
}

/** Native sidecars (init containers with restartPolicy: Always) are on by default from 1.29. */
export function proxyModeForVersion(major: number, minor: number): ProxyMode {
  return major > 1 || (major === 1 && minor >= 29) ? 'native' : 'classic';
}

export function trustRootSha256(pem: string): string {
  return createHash('sha256').update(pem.trim()).digest('hex');
}

function tapIdentityField(v: string | undefined): string | undefined {
  if (v !== undefined && !/^spiffe:\/\/[^/]+\/ns\/[^/]+\/sa\/[^/]+$/.test(v)) throw new FieldError('tapIdentity', `"${v}" (expected spiffe://<trust-domain>/ns/<ns>/sa/<sa>)`);
  return v;
}

/** Parses config.yaml; errors name the field. */
export function parseInjectorConfig(text: string, source: string): InjectorConfig {
  try {
    const doc = obj(parse(text) as unknown, '');
    const res = optObj(doc['proxyResources'], 'proxyResources') ?? {};
    const logLevel = optStr(doc['logLevel'], 'logLevel') ?? 'info';
    if (!isLogLevel(logLevel)) throw new FieldError('logLevel', `"${logLevel}" (expected error|warn|info|debug|trace)`);
    const mode = optStr(doc['defaultProxyMode'], 'defaultProxyMode') ?? 'native';
    if (!isProxyMode(mode)) throw new FieldError('defaultProxyMode', `"${mode}" (expected native or classic)`);
    const trustAnchorsPem = str(doc['trustAnchorsPem'], 'trustAnchorsPem');
    if (!trustAnchorsPem.includes('BEGIN CERTIFICATE')) throw new FieldError('trustAnchorsPem', 'no PEM certificate');
    return Object.freeze({
      image: str(doc['image'], 'image'),
      imagePullPolicy: optStr(doc['imagePullPolicy'], 'imagePullPolicy') ?? 'IfNotPresent',
      proxyVersion: str(doc['proxyVersion'], 'proxyVersion'),
      trustDomain: str(doc['trustDomain'], 'trustDomain'),
      identityAddr: str(doc['identityAddr'], 'identityAddr'),
      identityName: str(doc['identityName'], 'identityName'),
      destinationAddr: str(doc['destinationAddr'], 'destinationAddr'),
      trustAnchorsPem,
      proxyUid: int(doc['proxyUid'], 'proxyUid', 1, 2 ** 31 - 1),
      logLevel,
      cpuRequest: optStr(res['cpuRequest'], 'proxyResources.cpuRequest'),
      cpuLimit: optStr(res['cpuLimit'], 'proxyResources.cpuLimit'),
      memoryRequest: optStr(res['memoryRequest'], 'proxyResources.memoryRequest'),
      memoryLimit: optStr(res['memoryLimit'], 'proxyResources.memoryLimit'),
      defaultProxyMode: mode,
      tapIdentity: tapIdentityField(optStr(doc['tapIdentity'], 'tapIdentity')),
    });
  } catch (err) {
    if (err instanceof FieldError) throw new ConfigError(`${source}: ${err.message}`, { cause: err });
    if (err instanceof Error && err.name === 'YAMLParseError') throw new ConfigError(`${source}: not YAML: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The YAML form parseInjectorConfig reads. */
export function injectorConfigDocument(c: InjectorConfig): Record<string, unknown> {
  const proxyResources: Record<string, string> = {};
  if (c.cpuRequest) proxyResources['cpuRequest'] = c.cpuRequest;
  if (c.cpuLimit) proxyResources['cpuLimit'] = c.cpuLimit;
  if (c.memoryRequest) proxyResources['memoryRequest'] = c.memoryRequest;
  if (c.memoryLimit) proxyResources['memoryLimit'] = c.memoryLimit;
  return {
    image: c.image,
    imagePullPolicy: c.imagePullPolicy,
    proxyVersion: c.proxyVersion,
    trustDomain: c.trustDomain,
    identityAddr: c.identityAddr,
    identityName: c.identityName,
    destinationAddr: c.destinationAddr,
    proxyUid: c.proxyUid,
    logLevel: c.logLevel,
    proxyResources,
    defaultProxyMode: c.defaultProxyMode,
    ...(c.tapIdentity ? { tapIdentity: c.tapIdentity } : {}),
    trustAnchorsPem: c.trustAnchorsPem,
  };
}
