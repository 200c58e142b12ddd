// The containers and volume the injector adds: `weft init` (iptables, as Linkerd's proxy-init)
// and `weft proxy`, configured through the same WEFT_PROXY_* variables the local runtime sets
// (src/proxy/config.ts is the one list of names). Pure: config and settings in, objects out.
import { ENV } from '../../proxy/config.js';
import { PROXY_NODE_FLAGS } from '../../proxy/node-flags.js';
import { inboundPortsValue } from '../../proxy/policy/config.js';
import { DEFAULT_ADMIN_PORT, DEFAULT_INBOUND_PORT, DEFAULT_OUTBOUND_PORT, DEFAULT_TAP_PORT } from '../../runtime/local/iptables-rules.js';
import { INIT_CONTAINER, PROXY_CONTAINER, TOKEN_VOLUME, XTABLES_VOLUME } from './annotations.js';
import type { InjectorConfig } from './config.js';
import type { ProxySettings } from './pod-settings.js';

export type Json = Record<string, unknown>;

/** Must match the identity service's expected audience (runtime/kubernetes/names.ts). */
export const TOKEN_AUDIENCE = 'identity.weft.io';
export const TOKEN_MOUNT = '/var/run/secrets/tokens';
export const TOKEN_PATH = 'weft-identity-token';
/** The image's entry point: the weft CLI. */
export const WEFT_COMMAND = 'weft';

function resources(s: ProxySettings): Json {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (s.cpuRequest) requests['cpu'] = s.cpuRequest;
  if (s.memoryRequest) requests['memory'] = s.memoryRequest;
  if (s.cpuLimit) limits['cpu'] = s.cpuLimit;
  if (s.memoryLimit) limits['memory'] = s.memoryLimit;
  return { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) };
}

function env(c: InjectorConfig, s: ProxySettings, appPorts: readonly number[]): Json[] {
  const field = (name: string, path: string): Json => ({ name, valueFrom: { fieldRef: { fieldPath: path } } });
  const v = (name: string, value: string): Json => ({ name, value });
  const inboundPorts = inboundPortsValue(appPorts);
  return [
    // Set first: later values refer to them as $(NAME), which Kubernetes expands.
    field('WEFT_POD_NAMESPACE', 'metadata.namespace'),
    field('WEFT_POD_NAME', 'metadata.name'),
    field('WEFT_POD_SERVICE_ACCOUNT', 'spec.serviceAccountName'),
    v(ENV.logLevel, s.logLevel),
    // The V8 flags the proxy is measured with (proxy/node-flags.ts); NODE_OPTIONS accepts them.
    v('NODE_OPTIONS', PROXY_NODE_FLAGS.join(' ')),
    v(ENV.outboundListen, `127.0.0.1:${DEFAULT_OUTBOUND_PORT}`),
    // Not loopback only: REDIRECT delivers arriving traffic to the pod's own address.
    v(ENV.inboundListen, `0.0.0.0:${DEFAULT_INBOUND_PORT}`),
    v(ENV.adminListen, `0.0.0.0:${DEFAULT_ADMIN_PORT}`),
    v(ENV.intercept, 'true'),
    ...(s.opaquePorts !== undefined ? [v(ENV.opaquePorts, s.opaquePorts)] : []),
    ...(s.defaultInboundPolicy !== undefined ? [v(ENV.inboundDefaultPolicy, s.defaultInboundPolicy)] : []),
    // The pod's container ports: the proxy asks for their inbound policies at start.
    ...(inboundPorts !== undefined ? [v(ENV.inboundPorts, inboundPorts)] : []),
    v(ENV.destinationSvcAddr, c.destinationAddr),
    v(ENV.destinationContext, '{"ns":"$(WEFT_POD_NAMESPACE)","pod":"$(WEFT_POD_NAME)"}'),
    v(ENV.identitySvcAddr, c.identityAddr),
    v(ENV.identitySvcName, c.identityName),
    v(ENV.identityLocalName, `spiffe://${c.trustDomain}/ns/$(WEFT_POD_NAMESPACE)/sa/$(WEFT_POD_SERVICE_ACCOUNT)`),
    v(ENV.identityTokenFile, `${TOKEN_MOUNT}/${TOKEN_PATH}`),
    v(ENV.identityTrustAnchors, c.trustAnchorsPem),
    // Tap, served over mTLS to the tap component's identity alone (src/proxy/tap/server.ts).
    ...(c.tapIdentity ? [v(ENV.tapSvcName, c.tapIdentity), v(ENV.tapListen, `0.0.0.0:${DEFAULT_TAP_PORT}`)] : []),
  ];
}

const probe = (path: string, extra: Json = {}): Json => ({ httpGet: { path, port: DEFAULT_ADMIN_PORT }, ...extra });

/** The TCP ports the pod's containers declare. */
export function containerPorts(containers: readonly Json[]): number[] {
  const out: number[] = [];
  for (const c of containers) {
    for (const p of Array.isArray(c['ports']) ? (c['ports'] as Json[]) : []) {
      const n = p['containerPort'];
      if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 && (p['protocol'] ?? 'TCP') === 'TCP') out.push(n);
    }
  }
  return out;
}

export function proxyContainer(c: InjectorConfig, s: ProxySettings, appPorts: readonly number[] = []): Json {
  const container: Json = {
    name: PROXY_CONTAINER,
    image: c.image,
    imagePullPolicy: c.imagePullPolicy,
    args: ['proxy'],
    env: env(c, s, appPorts),
    ports: [
      { name: 'weft-proxy', containerPort: DEFAULT_INBOUND_PORT, protocol: 'TCP' },
      { name: 'weft-admin', containerPort: DEFAULT_ADMIN_PORT, protocol: 'TCP' },
      ...(c.tapIdentity ? [{ name: 'weft-tap', containerPort: DEFAULT_TAP_PORT, protocol: 'TCP' }] : []),
    ],
    readinessProbe: probe('/ready', { initialDelaySeconds: 1, periodSeconds: 5, failureThreshold: 3 }),
    livenessProbe: probe('/live', { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 }),
    resources: resources(s),
    securityContext: {
      runAsUser: c.proxyUid,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [{ name: TOKEN_VOLUME, mountPath: TOKEN_MOUNT, readOnly: true }],
  };
  if (s.mode === 'native') {
    // A native sidecar: started before the app's containers (once its startup probe passes),
    // stopped after them, and not counted when a Job's pod completes.
    container['restartPolicy'] = 'Always';
    container['startupProbe'] = probe('/ready', { periodSeconds: 1, failureThreshold: 120 });
  } else {
    // A classic sidecar: first in the list, and its postStart hook holds the next container
    // back until the proxy is ready (kubelet starts containers in order, waiting for the hook).
    container['lifecycle'] = { postStart: { exec: { command: [WEFT_COMMAND, 'await', '--timeout', '120s'] } } };
  }
  return container;
}

export function initContainer(c: InjectorConfig, s: ProxySettings): Json {
  const args = [
    'init',
    '--proxy-uid', String(c.proxyUid),
    '--inbound-port', String(DEFAULT_INBOUND_PORT),
    '--outbound-port', String(DEFAULT_OUTBOUND_PORT),
    '--admin-port', String(DEFAULT_ADMIN_PORT),
    '--tap-port', String(DEFAULT_TAP_PORT),
  ];
  if (s.skipInboundPorts) args.push('--skip-inbound-ports', s.skipInboundPorts);
  if (s.skipOutboundPorts) args.push('--skip-outbound-ports', s.skipOutboundPorts);
  return {
    name: INIT_CONTAINER,
    image: c.image,
    imagePullPolicy: c.imagePullPolicy,
    args,
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
    securityContext: {
      // iptables needs NET_ADMIN/NET_RAW in the pod's network namespace, nothing more.
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationMessagePolicy: 'FallbackToLogsOnError',
    // iptables takes its lock under /run; the root filesystem stays read-only.
    volumeMounts: [{ name: XTABLES_VOLUME, mountPath: '/run' }],
  };
}

export function xtablesVolume(): Json {
  return { name: XTABLES_VOLUME, emptyDir: {} };
}

/** The projected service-account token the proxy proves its identity with (audience identity.weft.io). */
export function tokenVolume(): Json {
  return {
    name: TOKEN_VOLUME,
    projected: { sources: [{ serviceAccountToken: { audience: TOKEN_AUDIENCE, expirationSeconds: 86400, path: TOKEN_PATH } }] },
  };
}
