// The proxy is configured only by environment variables (the same ones the injector sets on
// Kubernetes). These are the names of that contract and the two ways the local runtime fills
// them: transparent (in a namespace, behind weft's iptables rules) and explicit (loopback
// ports, the app told to use its proxy through HTTP_PROXY).
import { ENV } from '../../proxy/config.js';
import { inboundPortsValue } from '../../proxy/policy/config.js';
import type { WorkloadSpec } from './mesh-file.js';

/** The variable names, from the proxy's own config (one source for the contract). */
const PROXY_ENV = ENV;

export interface ProxyEnvInput {
  readonly workload: WorkloadSpec;
  /** The pod's name (the Deployment's, or `<name>-<i>` for replicas). */
  readonly podName?: string;
  readonly mode: 'netns' | 'loopback';
  readonly identityAddr: string;
  readonly destinationAddr: string;
  /** spiffe://<trust-domain>/ns/<ns>/sa/<sa> */
  readonly localName: string;
  readonly trustAnchorsFile: string;
  readonly tokenFile: string;
  /** Loopback mode: the proxy's own ports and the app's address. */
  readonly outboundAddr?: string;
  readonly inboundAddr?: string;
  readonly adminAddr?: string;
  readonly tapAddr?: string;
  readonly appAddr?: string | undefined;
  /** The tap component's identity: the proxy serves tap to it only. */
  readonly tapSvcName?: string;
}

export function proxyEnv(i: ProxyEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    [PROXY_ENV.identitySvcAddr]: i.identityAddr,
    [PROXY_ENV.identityLocalName]: i.localName,
    [PROXY_ENV.identityTrustAnchorsFile]: i.trustAnchorsFile,
    [PROXY_ENV.identityTokenFile]: i.tokenFile,
    [PROXY_ENV.destinationSvcAddr]: i.destinationAddr,
    // Short names ("catalog:7081") resolve in the workload's own namespace, as in a pod.
    [PROXY_ENV.destinationContext]: JSON.stringify({ ns: i.workload.namespace, pod: i.podName ?? i.workload.name }),
    [PROXY_ENV.logLevel]: i.workload.proxyLogLevel,
  };
  if (i.tapSvcName) env[PROXY_ENV.tapSvcName] = i.tapSvcName;
  if (i.mode === 'netns') {
    // The defaults (4140 on loopback, 4143 and 4191 on all addresses) are what weft's rules
    // expect; set explicitly so /env.json tells the whole story. Inbound must not listen on
    // loopback only: REDIRECT sends arriving traffic to the interface's own address.
    env[PROXY_ENV.outboundListen] = '127.0.0.1:4140';
    env[PROXY_ENV.inboundListen] = '0.0.0.0:4143';
    env[PROXY_ENV.adminListen] = '0.0.0.0:4191';
    env[PROXY_ENV.tapListen] = '0.0.0.0:4190';
    env[PROXY_ENV.intercept] = 'true';
  } else {
    env[PROXY_ENV.outboundListen] = i.outboundAddr ?? '127.0.0.1:4140';
    env[PROXY_ENV.inboundListen] = i.inboundAddr ?? '127.0.0.1:4143';
    env[PROXY_ENV.adminListen] = i.adminAddr ?? '127.0.0.1:4191';
    env[PROXY_ENV.tapListen] = i.tapAddr ?? '127.0.0.1:4190';
    if (i.appAddr) env[PROXY_ENV.inboundDefaultDst] = i.appAddr;
  }
  // The policy API identifies this proxy by the destination context's {ns, pod}.
  if (i.workload.defaultInboundPolicy) env[PROXY_ENV.inboundDefaultPolicy] = i.workload.defaultInboundPolicy;
  // The app's ports: the proxy asks for their policies at start, not on a port's first request.
  const ports = inboundPortsValue(i.workload.ports.map((p) => p.containerPort));
  if (ports !== undefined) env[PROXY_ENV.inboundPorts] = ports;
  return { ...env, ...i.workload.proxyEnv };
}
