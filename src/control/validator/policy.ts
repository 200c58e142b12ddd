// The policy validator: every policy kind weft reads from its own groups (policy.weft.io, and
// policy.linkerd.io when weft installs Linkerd's CRDs), refused with the field named, e.g.
// `HTTPRoute "r" is invalid: spec.rules[0].matches[0].path.value: "items" must start with "/"`. Gateway
// API routes are not validated here: their CRDs belong to the cluster, and other controllers'
// routes are not weft's to refuse (the store skips and logs a route it cannot read).
import { POLICY_API_KINDS } from '../store/validate.js';
import type { AdmissionHandler } from '../webhook/admission.js';
import { apiKind, resourceValidator } from './resource.js';

/** The API groups whose CRDs weft installs and whose objects this validator checks. */
export const POLICY_GROUPS: readonly string[] = ['policy.weft.io', 'policy.linkerd.io'];

const VALIDATED: ReadonlySet<string> = new Set(POLICY_API_KINDS.filter((k) => POLICY_GROUPS.some((g) => k.startsWith(`${g}/`))));

export function policyValidator(): AdmissionHandler {
  return resourceValidator((req) => VALIDATED.has(apiKind(req)));
}
