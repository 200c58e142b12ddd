// inject(): the one function that meshes a pod, shared by the admission webhook and
// `weft inject`. Pure — a pod template (metadata + spec) and the config in, a new template out —
// so its output is pinned by golden files and the webhook only turns the difference into a
// JSON patch. Idempotent: a pod that already has weft's proxy is returned as it is.
//
// Native mode:  initContainers = [weft-init, weft-proxy (restartPolicy: Always), ...the pod's]
// Classic mode: initContainers = [...the pod's, weft-init]; containers = [weft-proxy, ...the pod's]
// (weft-init goes last there: earlier init containers keep a working network, with no proxy yet).
import {
  CONTROL_PLANE_NS_LABEL, CREATED_BY_ANNOTATION, IDENTITY_MODE_ANNOTATION, INIT_CONTAINER, PROXY_CONTAINER,
  PROXY_MODE_ANNOTATION, PROXY_VERSION_ANNOTATION, TOKEN_VOLUME, TRUST_ROOT_ANNOTATION, XTABLES_VOLUME,
} from './annotations.js';
import type { InjectorConfig, ProxyMode } from './config.js';
import { trustRootSha256 } from './config.js';
import type { Json } from './containers.js';
import { containerPorts, initContainer, proxyContainer, tokenVolume, xtablesVolume } from './containers.js';
import { injectDecision, proxySettings } from './pod-settings.js';

export interface PodTemplate {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; [k: string]: unknown };
  spec?: Json;
  [k: string]: unknown;
}

export interface InjectContext {
  /** The pod's namespace's annotations (inject and config.weft.io/* defaults). */
  readonly namespaceAnnotations?: Readonly<Record<string, string>>;
  /** Inject unless disabled, whatever the annotations say (`weft inject` on files). */
  readonly force?: boolean;
  /** Recorded in weft.io/created-by: who injected ("weft/cli 0.1.0", "weft/injector 0.1.0"). */
  readonly createdBy: string;
  /** The control plane's namespace, recorded as a label on meshed pods. */
  readonly controlPlaneNamespace: string;
}

export type InjectOutcome =
  | { readonly injected: true; readonly pod: PodTemplate; readonly mode: ProxyMode }
  | { readonly injected: false; readonly reason: string };

function containers(spec: Json, field: 'containers' | 'initContainers'): Json[] {
  const v = spec[field];
  return Array.isArray(v) ? (v as Json[]) : [];
}

export function isInjected(pod: PodTemplate): boolean {
  const spec = pod.spec ?? {};
  return [...containers(spec, 'containers'), ...containers(spec, 'initContainers')].some((c) => c['name'] === PROXY_CONTAINER);
}

/** Throws InjectAnnotationError for a bad annotation (the webhook then admits the pod as it is). */
export function inject(pod: PodTemplate, config: InjectorConfig, ctx: InjectContext): InjectOutcome {
  const spec = pod.spec ?? {};
  if (isInjected(pod)) return { injected: false, reason: 'already injected' };
  const annotations = pod.metadata?.annotations ?? {};
  const ns = ctx.namespaceAnnotations ?? {};
  const decision = injectDecision(annotations, ns, ctx.force);
  if (!decision.inject) return { injected: false, reason: decision.reason };
  if (spec['hostNetwork'] === true) return { injected: false, reason: 'pod uses the host network (hostNetwork: true): interception would capture the node\'s traffic' };
  const s = proxySettings(annotations, ns, config);

  const podInits = containers(spec, 'initContainers');
  const podContainers = containers(spec, 'containers');
  const proxy = proxyContainer(config, s, containerPorts(podContainers));
  const init = initContainer(config, s);
  const out: Json = { ...spec };
  if (s.mode === 'native') {
    out['initContainers'] = [init, proxy, ...podInits];
  } else {
    out['initContainers'] = [...podInits, init];
    out['containers'] = [proxy, ...podContainers];
  }
  const volumes = Array.isArray(spec['volumes']) ? (spec['volumes'] as Json[]) : [];
  out['volumes'] = [...volumes, tokenVolume(), xtablesVolume()];

  const metadata = { ...(pod.metadata ?? {}) };
  metadata.annotations = {
    ...annotations,
    [PROXY_VERSION_ANNOTATION]: config.proxyVersion,
    [PROXY_MODE_ANNOTATION]: s.mode,
    [IDENTITY_MODE_ANNOTATION]: 'default',
    [TRUST_ROOT_ANNOTATION]: trustRootSha256(config.trustAnchorsPem),
    [CREATED_BY_ANNOTATION]: ctx.createdBy,
  };
  metadata.labels = { ...(pod.metadata?.labels ?? {}), [CONTROL_PLANE_NS_LABEL]: ctx.controlPlaneNamespace };
  return { injected: true, pod: { ...pod, metadata, spec: out }, mode: s.mode };
}

/** Removes what inject() added; `changed` is false for a pod without weft's proxy. */
export function uninject(pod: PodTemplate): { changed: boolean; pod: PodTemplate } {
  if (!isInjected(pod)) return { changed: false, pod };
  const spec = { ...(pod.spec ?? {}) };
  const ours = (c: Json): boolean => c['name'] === PROXY_CONTAINER || c['name'] === INIT_CONTAINER;
  for (const field of ['containers', 'initContainers'] as const) {
    if (!Array.isArray(spec[field])) continue;
    const rest = containers(spec, field).filter((c) => !ours(c));
    if (rest.length > 0 || field === 'containers') spec[field] = rest;
    else delete spec[field];
  }
  if (Array.isArray(spec['volumes'])) {
    const rest = (spec['volumes'] as Json[]).filter((v) => v['name'] !== TOKEN_VOLUME && v['name'] !== XTABLES_VOLUME);
    if (rest.length > 0) spec['volumes'] = rest;
    else delete spec['volumes'];
  }
  const metadata = { ...(pod.metadata ?? {}) };
  const strip = (m: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> | undefined => {
    if (!m) return undefined;
    const r = Object.fromEntries(Object.entries(m).filter(([k]) => !keys.includes(k)));
    return Object.keys(r).length ? r : undefined;
  };
  const annotations = strip(metadata.annotations, [PROXY_VERSION_ANNOTATION, PROXY_MODE_ANNOTATION, IDENTITY_MODE_ANNOTATION, TRUST_ROOT_ANNOTATION, CREATED_BY_ANNOTATION]);
  const labels = strip(metadata.labels, [CONTROL_PLANE_NS_LABEL]);
  if (annotations) metadata.annotations = annotations;
  else delete metadata.annotations;
  if (labels) metadata.labels = labels;
  else delete metadata.labels;
  return { changed: true, pod: { ...pod, metadata, spec } };
}
