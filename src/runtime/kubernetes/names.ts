// Names of the control plane's objects on Kubernetes, in one place: the manifests create them,
// `weft check` and `weft uninstall` look for them, the injector points proxies at them.
export const NAMESPACE = 'weft';

export const COMPONENTS = ['identity', 'destination', 'injector', 'tap'] as const;
export type Component = (typeof COMPONENTS)[number];

export const DEPLOYMENT: Record<Component, string> = {
  identity: 'weft-identity',
  destination: 'weft-destination',
  injector: 'weft-injector',
  tap: 'weft-tap',
};
export const SERVICE: Record<Component, string> = {
  identity: 'weft-identity',
  destination: 'weft-dst',
  injector: 'weft-injector',
  tap: 'weft-tap',
};
export const SERVICE_ACCOUNT: Record<Component | 'heartbeat', string> = {
  identity: 'weft-identity',
  destination: 'weft-destination',
  injector: 'weft-injector',
  tap: 'weft-tap',
  heartbeat: 'weft-heartbeat',
};

export const PORTS = { identity: 8080, destination: 8086, webhook: 8443, webhookService: 443, tap: 8088 } as const;
/** The tap API's port name on the weft-tap Service (the CLI reaches it through the API server's service proxy). */
export const TAP_PORT_NAME = 'http';

export const CONFIG_MAP = 'weft-config';
export const CONFIG_KEY = 'config.yaml';
export const VALUES_KEY = 'values.yaml';
export const HEARTBEAT_CONFIG_MAP = 'weft-heartbeat';
export const HEARTBEAT_CRONJOB = 'weft-heartbeat';
export const ISSUER_SECRET = 'weft-identity-issuer';
export const INJECTOR_TLS_SECRET = 'weft-injector-k8s-tls';
export const MUTATING_WEBHOOK = 'weft-proxy-injector-webhook-config';
export const VALIDATING_WEBHOOK = 'weft-sp-validator-webhook-config';
export const INJECT_PATH = '/inject';
export const VALIDATE_PATH = '/validate/serviceprofile';
export const VALIDATE_POLICY_PATH = '/validate/policy';

/** The audience of the service-account tokens proxies present to identity. */
export const IDENTITY_AUDIENCE = 'identity.weft.io';
/** Where the injector mounts that token in the proxy. */
export const TOKEN_DIR = '/var/run/secrets/tokens';
export const TOKEN_FILE = 'weft-identity-token';

/** Label on every object `weft install` makes: uninstall and upgrade find them by it. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const PART_OF = 'weft';

/** The tap component's identity: proxies serve tap to it alone (WEFT_PROXY_TAP_SVC_NAME). */
export function tapIdentityOnCluster(trustDomain: string): string {
  return `spiffe://${trustDomain}/ns/${NAMESPACE}/sa/${SERVICE_ACCOUNT.tap}`;
}

export function serviceDns(component: Component, clusterDomain: string): string {
  return `${SERVICE[component]}.${NAMESPACE}.svc.${clusterDomain}`;
}
