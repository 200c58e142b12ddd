// The annotations and labels of the injection contract. Users set `weft.io/inject` (or
// Linkerd's `linkerd.io/inject`, for migration) on a pod or its namespace, and tune the proxy
// with `config.weft.io/*` (Linkerd's `config.linkerd.io/*` names are read too, weft's first);
// the injector records what it did in `weft.io/*` annotations and labels.

export const INJECT_ANNOTATION = 'weft.io/inject';
export const LINKERD_INJECT_ANNOTATION = 'linkerd.io/inject';

/** Values of the inject annotation. Linkerd's `ingress` mode is not supported (it is refused, not ignored). */
export const INJECT_ENABLED = 'enabled';
export const INJECT_DISABLED = 'disabled';

export const CONFIG_PREFIX = 'config.weft.io/';
export const LINKERD_CONFIG_PREFIX = 'config.linkerd.io/';

/** The config.weft.io/<name> settings the injector honours. */
export const CONFIG = {
  proxyMode: 'proxy-mode',
  skipInboundPorts: 'skip-inbound-ports',
  skipOutboundPorts: 'skip-outbound-ports',
  opaquePorts: 'opaque-ports',
  logLevel: 'proxy-log-level',
  cpuRequest: 'proxy-cpu-request',
  cpuLimit: 'proxy-cpu-limit',
  memoryRequest: 'proxy-memory-request',
  memoryLimit: 'proxy-memory-limit',
  defaultInboundPolicy: 'default-inbound-policy',
} as const;

/** What the injector adds (and uninject removes). */
export const PROXY_VERSION_ANNOTATION = 'weft.io/proxy-version';
export const PROXY_MODE_ANNOTATION = 'weft.io/proxy-mode';
export const IDENTITY_MODE_ANNOTATION = 'weft.io/identity-mode';
export const TRUST_ROOT_ANNOTATION = 'weft.io/trust-root-sha256';
export const CREATED_BY_ANNOTATION = 'weft.io/created-by';
export const ADDED_ANNOTATIONS = [PROXY_VERSION_ANNOTATION, PROXY_MODE_ANNOTATION, IDENTITY_MODE_ANNOTATION, TRUST_ROOT_ANNOTATION, CREATED_BY_ANNOTATION];

/** On every meshed pod: names the control plane's namespace (`weft check --proxy` finds pods by it). */
export const CONTROL_PLANE_NS_LABEL = 'weft.io/control-plane-ns';
/** On the control plane's own objects. */
export const CONTROL_PLANE_COMPONENT_LABEL = 'weft.io/control-plane-component';
/** On a namespace: `disabled` keeps both admission webhooks away from it (the control plane's own). */
export const ADMISSION_WEBHOOKS_LABEL = 'config.weft.io/admission-webhooks';

export const PROXY_CONTAINER = 'weft-proxy';
export const INIT_CONTAINER = 'weft-init';
export const TOKEN_VOLUME = 'weft-identity-token';
export const XTABLES_VOLUME = 'weft-init-xtables-lock';
