// The ServiceProfile CRDs: weft's own (weft.io/v1alpha1) and Linkerd's
// (linkerd.io/v1alpha2, same schema), so profiles written for Linkerd apply unchanged. The
// schema is structural (the API server needs that) and loose where conditions nest (all/any/
// not); the validating webhook checks the rest and names the bad field.
import { PART_OF, PART_OF_LABEL } from '../names.js';
import type { K8sObject } from './yaml.js';

const preserve = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const schema = {
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          routes: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'condition'],
              properties: {
                name: { type: 'string' },
                condition: preserve,
                responseClasses: {
                  type: 'array',
                  items: { type: 'object', required: ['condition'], properties: { condition: preserve, isFailure: { type: 'boolean' } } },
                },
                isRetryable: { type: 'boolean' },
                timeout: { type: 'string' },
              },
            },
          },
          retryBudget: {
            type: 'object',
            required: ['retryRatio', 'minRetriesPerSecond', 'ttl'],
            properties: { retryRatio: { type: 'number' }, minRetriesPerSecond: { type: 'integer' }, ttl: { type: 'string' } },
          },
          dstOverrides: {
            type: 'array',
            items: {
              type: 'object',
              required: ['authority', 'weight'],
              properties: { authority: { type: 'string' }, weight: { 'x-kubernetes-int-or-string': true } },
            },
          },
          opaquePorts: { type: 'array', items: { type: 'integer' } },
        },
      },
    },
  },
};

function crd(group: string, version: string): K8sObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `serviceprofiles.${group}`, labels: { [PART_OF_LABEL]: PART_OF } },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'serviceprofiles', singular: 'serviceprofile', kind: 'ServiceProfile', shortNames: ['sp'] },
      versions: [{ name: version, served: true, storage: true, schema }],
    },
  };
}

// Policy kinds: the schema only requires spec to be an object; weft's validation (the same as
// `weft apply`) checks every field when the store reads an object and logs what it skips.
const POLICY_KINDS: readonly { kind: string; plural: string; version: string }[] = [
  { kind: 'Server', plural: 'servers', version: 'v1beta3' },
  { kind: 'AuthorizationPolicy', plural: 'authorizationpolicies', version: 'v1alpha1' },
  { kind: 'MeshTLSAuthentication', plural: 'meshtlsauthentications', version: 'v1alpha1' },
  { kind: 'NetworkAuthentication', plural: 'networkauthentications', version: 'v1alpha1' },
  { kind: 'HTTPLocalRateLimitPolicy', plural: 'httplocalratelimitpolicies', version: 'v1alpha1' },
  { kind: 'HTTPRoute', plural: 'httproutes', version: 'v1beta3' },
  { kind: 'EgressNetwork', plural: 'egressnetworks', version: 'v1alpha1' },
];

/** weft's own kinds, with no Linkerd counterpart: only in policy.weft.io. */
const WEFT_ONLY_POLICY_KINDS: readonly (typeof POLICY_KINDS)[number][] = [{ kind: 'JWTAuthentication', plural: 'jwtauthentications', version: 'v1alpha1' }];

function policyCrd(group: string, k: (typeof POLICY_KINDS)[number]): K8sObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${group}`, labels: { [PART_OF_LABEL]: PART_OF } },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: k.plural, singular: k.kind.toLowerCase(), kind: k.kind },
      versions: [{ name: k.version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: preserve } } } }],
    },
  };
}

/** The policy resources (plurals) weft's CRDs define in `group`: what the policy validator covers. */
export function policyResources(group: string): string[] {
  return [...POLICY_KINDS, ...(group === 'policy.weft.io' ? WEFT_ONLY_POLICY_KINDS : [])].map((k) => k.plural);
}

/** weft's CRDs, and Linkerd's with `linkerdCrds` (Gateway API CRDs are the cluster's own). */
export function renderCrds(o: { readonly linkerdCrds: boolean }): K8sObject[] {
  const groups = o.linkerdCrds ? ['policy.weft.io', 'policy.linkerd.io'] : ['policy.weft.io'];
  return [
    crd('weft.io', 'v1alpha1'), ...(o.linkerdCrds ? [crd('linkerd.io', 'v1alpha2')] : []),
    ...groups.flatMap((g) => POLICY_KINDS.map((k) => policyCrd(g, k))),
    ...WEFT_ONLY_POLICY_KINDS.map((k) => policyCrd('policy.weft.io', k)),
  ];
}
