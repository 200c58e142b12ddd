// Whether a pod is to be injected, and how its proxy is to be set up: the pod's annotations
// over its namespace's over the installed defaults (as Linkerd reads config.linkerd.io/*).
// Every value is checked here, so inject() itself cannot fail on a bad annotation.
import { DEFAULT_POLICIES } from '../store/policy-types.js';
import { isLogLevel, type LogLevel } from '../../lib/log.js';
import { parsePortRanges } from '../../runtime/local/iptables-rules.js';
import {
  CONFIG, CONFIG_PREFIX, INJECT_ANNOTATION, INJECT_DISABLED, INJECT_ENABLED, LINKERD_CONFIG_PREFIX, LINKERD_INJECT_ANNOTATION,
} from './annotations.js';
import type { InjectorConfig, ProxyMode } from './config.js';
import { isProxyMode } from './config.js';
import { InjectAnnotationError } from './errors.js';

type Annotations = Readonly<Record<string, string>>;

const QUANTITY = /^\d+(\.\d+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/;

/** A Kubernetes resource quantity as the proxy's requests and limits accept (100m, 64Mi, 0.5). */
export function isQuantity(s: string): boolean {
  return QUANTITY.test(s);
}

export type InjectDecision = { readonly inject: true } | { readonly inject: false; readonly reason: string };

/** The inject annotation in effect and where it came from. */
function injectValue(pod: Annotations, ns: Annotations): { key: string; value: string; on: 'pod' | 'namespace' } | undefined {
  for (const [a, on] of [[pod, 'pod'], [ns, 'namespace']] as const) {
    for (const key of [INJECT_ANNOTATION, LINKERD_INJECT_ANNOTATION]) {
      const value = a[key];
      if (value !== undefined) return { key, value, on };
    }
  }
  return undefined;
}

/**
 * The webhook injects pods annotated enabled (on the pod, or on the namespace without the pod
 * saying otherwise). `force` (the CLI, asked to inject these files) injects unless disabled.
 */
export function injectDecision(pod: Annotations, ns: Annotations, force = false): InjectDecision {
  const v = injectValue(pod, ns);
  if (!v) return force ? { inject: true } : { inject: false, reason: `neither the pod nor its namespace is annotated ${INJECT_ANNOTATION}: ${INJECT_ENABLED}` };
  if (v.value === INJECT_ENABLED) return { inject: true };
  if (v.value === INJECT_DISABLED) return { inject: false, reason: `${v.on} annotated ${v.key}: ${INJECT_DISABLED}` };
  throw new InjectAnnotationError(v.key, v.value, `expected ${INJECT_ENABLED} or ${INJECT_DISABLED}`);
}

export interface ProxySettings {
  readonly mode: ProxyMode;
  readonly skipInboundPorts: string;
  readonly skipOutboundPorts: string;
  readonly opaquePorts: string | undefined;
  readonly logLevel: LogLevel;
  readonly cpuRequest: string | undefined;
  readonly cpuLimit: string | undefined;
  readonly memoryRequest: string | undefined;
  readonly memoryLimit: string | undefined;
  /** The proxy's default inbound policy (WEFT_PROXY_INBOUND_DEFAULT_POLICY); undefined: the proxy's default. */
  readonly defaultInboundPolicy: string | undefined;
}

function lookup(pod: Annotations, ns: Annotations, name: string): { key: string; value: string } | undefined {
  for (const a of [pod, ns]) {
    for (const prefix of [CONFIG_PREFIX, LINKERD_CONFIG_PREFIX]) {
      const value = a[prefix + name];
      if (value !== undefined) return { key: prefix + name, value: value.trim() };
    }
  }
  return undefined;
}

function ports(pod: Annotations, ns: Annotations, name: string): string {
  const a = lookup(pod, ns, name);
  if (!a || a.value === '') return '';
  try {
    // Normalized, so the init container's arguments read the same whatever the spacing.
    return parsePortRanges(a.value, a.key).map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(',');
  } catch (err) {
    throw new InjectAnnotationError(a.key, a.value, (err as Error).message.replace(/^[^:]*: /, ''));
  }
}

function quantity(pod: Annotations, ns: Annotations, name: string, dflt: string | undefined): string | undefined {
  const a = lookup(pod, ns, name);
  if (!a) return dflt;
  if (!isQuantity(a.value)) throw new InjectAnnotationError(a.key, a.value, 'not a resource quantity (e.g. 100m, 64Mi)');
  return a.value;
}

/** The proxy's settings for a pod; throws InjectAnnotationError naming a bad annotation. */
export function proxySettings(pod: Annotations, ns: Annotations, config: InjectorConfig): ProxySettings {
  const mode = lookup(pod, ns, CONFIG.proxyMode);
  if (mode && !isProxyMode(mode.value)) throw new InjectAnnotationError(mode.key, mode.value, 'expected native or classic');
  const level = lookup(pod, ns, CONFIG.logLevel);
  if (level && !isLogLevel(level.value)) throw new InjectAnnotationError(level.key, level.value, 'expected error|warn|info|debug|trace');
  const opaque = ports(pod, ns, CONFIG.opaquePorts);
  const policy = lookup(pod, ns, CONFIG.defaultInboundPolicy);
  if (policy && !(DEFAULT_POLICIES as readonly string[]).includes(policy.value)) throw new InjectAnnotationError(policy.key, policy.value, `expected one of ${DEFAULT_POLICIES.join(', ')}`);
  return Object.freeze({
    mode: (mode?.value as ProxyMode | undefined) ?? config.defaultProxyMode,
    skipInboundPorts: ports(pod, ns, CONFIG.skipInboundPorts),
    skipOutboundPorts: ports(pod, ns, CONFIG.skipOutboundPorts),
    opaquePorts: lookup(pod, ns, CONFIG.opaquePorts) ? opaque : undefined,
    logLevel: (level?.value as LogLevel | undefined) ?? config.logLevel,
    cpuRequest: quantity(pod, ns, CONFIG.cpuRequest, config.cpuRequest),
    cpuLimit: quantity(pod, ns, CONFIG.cpuLimit, config.cpuLimit),
    memoryRequest: quantity(pod, ns, CONFIG.memoryRequest, config.memoryRequest),
    memoryLimit: quantity(pod, ns, CONFIG.memoryLimit, config.memoryLimit),
    defaultInboundPolicy: policy?.value,
  });
}
