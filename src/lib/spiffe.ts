// Workload identity names. A weft identity is a Kubernetes service account in a trust domain,
// written two ways: the SPIFFE URI `spiffe://<td>/ns/<ns>/sa/<sa>` (what mTLS peers check) and
// the DNS-style name `<sa>.<ns>.serviceaccount.identity.weft.<td>` (used as TLS SNI and as the
// Linkerd-compatible `identity` field of Certify). Both go into every leaf certificate's SANs.
import { WeftError } from './errors.js';

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
const DNS_INFIX = 'serviceaccount.identity.weft';

export interface WorkloadId {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** A string is not a valid weft identity (either form). */
export class InvalidIdentityError extends WeftError {
  constructor(input: string, why: string) {
    super('WEFT_ERR_INVALID_IDENTITY', `invalid identity "${input}": ${why}`);
  }
}

// Kubernetes names: DNS-1123 labels (namespaces, service accounts are at most 63/253; a label is
// what fits in a DNS-style name, so we hold both to the label rule).
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Trust domain: lowercase DNS name (SPIFFE allows a bit more, but it must also fit in a DNS SAN).
const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** Returns why the parts are invalid, or undefined when they are fine. */
export function validateWorkloadId(id: WorkloadId): string | undefined {
  if (!DOMAIN.test(id.trustDomain)) return `trust domain "${id.trustDomain}" is not a lowercase DNS name`;
  if (!LABEL.test(id.namespace)) return `namespace "${id.namespace}" is not a DNS-1123 label`;
  if (!LABEL.test(id.serviceAccount)) return `service account "${id.serviceAccount}" is not a DNS-1123 label`;
  return undefined;
}

export function workloadId(namespace: string, serviceAccount: string, trustDomain = DEFAULT_TRUST_DOMAIN): WorkloadId {
  const id = Object.freeze({ trustDomain, namespace, serviceAccount });
  const why = validateWorkloadId(id);
  if (why) throw new InvalidIdentityError(`${serviceAccount}.${namespace}@${trustDomain}`, why);
  return id;
}

export function formatSpiffe(id: WorkloadId): string {
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

export function formatDnsName(id: WorkloadId): string {
  return `${id.serviceAccount}.${id.namespace}.${DNS_INFIX}.${id.trustDomain}`;
}

export function parseSpiffe(uri: string): WorkloadId {
  const m = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(uri);
  if (!m) throw new InvalidIdentityError(uri, 'expected spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>');
  const id = Object.freeze({ trustDomain: m[1] as string, namespace: m[2] as string, serviceAccount: m[3] as string });
  const why = validateWorkloadId(id);
  if (why) throw new InvalidIdentityError(uri, why);
  return id;
}

export function parseDnsName(name: string): WorkloadId {
  const marker = `.${DNS_INFIX}.`;
  const at = name.indexOf(marker);
  const head = at < 0 ? [] : name.slice(0, at).split('.');
  if (head.length !== 2) {
    throw new InvalidIdentityError(name, `expected <sa>.<ns>.${DNS_INFIX}.<trust-domain>`);
  }
  const id = Object.freeze({
    trustDomain: name.slice(at + marker.length),
    namespace: head[1] as string,
    serviceAccount: head[0] as string,
  });
  const why = validateWorkloadId(id);
  if (why) throw new InvalidIdentityError(name, why);
  return id;
}

/** Parses either form: a SPIFFE URI or the DNS-style name. */
export function parseIdentity(s: string): WorkloadId {
  return s.startsWith('spiffe://') ? parseSpiffe(s) : parseDnsName(s);
}

export function sameWorkload(a: WorkloadId, b: WorkloadId): boolean {
  return a.trustDomain === b.trustDomain && a.namespace === b.namespace && a.serviceAccount === b.serviceAccount;
}
