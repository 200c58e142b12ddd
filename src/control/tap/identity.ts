// The tap component's identity: the only client a proxy serves tap to (the proxy's
// WEFT_PROXY_TAP_SVC_NAME), like Linkerd's linkerd-tap service account in linkerd-viz.
import { formatSpiffe, workloadId, type WorkloadId } from '../../lib/spiffe.js';

export const TAP_NAMESPACE = 'weft-viz';
export const TAP_SERVICE_ACCOUNT = 'tap';

export function tapWorkloadId(trustDomain: string): WorkloadId {
  return workloadId(TAP_NAMESPACE, TAP_SERVICE_ACCOUNT, trustDomain);
}

/** spiffe://<trust-domain>/ns/weft-viz/sa/tap */
export function tapIdentity(trustDomain: string): string {
  return formatSpiffe(tapWorkloadId(trustDomain));
}
