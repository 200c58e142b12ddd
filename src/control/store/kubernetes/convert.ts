// Kubernetes objects (as the informers hold them) -> weft's store resources, through the same
// validation as `weft apply` so both backends produce identical shapes. Two things come from
// elsewhere in the cluster: an endpoint's service account is read from its Pod (Kubernetes'
// ObjectReference has no such field), and the API version of a ServiceProfile tells which CRD
// it came from.
import type { KubernetesObject } from '@kubernetes/client-node';
import { FieldError } from '../fields.js';
import type { Kind, Resource } from '../types.js';
import { validateResource } from '../validate.js';

/** Reads a pod's service account (undefined: pod not known). */
export type PodServiceAccount = (namespace: string, name: string) => string | undefined;

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

type Json = Record<string, unknown>;

const API_VERSION: Partial<Record<Kind, string>> = {
  Service: 'v1',
  Pod: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  ServiceProfile: 'weft.io/v1alpha1',
};

/** The pods an EndpointSlice's endpoints point at (to re-read the slice when one changes). */
export function slicePods(slice: KubernetesObject): PodRef[] {
  const ns = slice.metadata?.namespace ?? 'default';
  const out: PodRef[] = [];
  for (const e of ((slice as Json)['endpoints'] as Json[] | undefined) ?? []) {
    const ref = e['targetRef'] as Json | undefined;
    if (ref && (ref['kind'] ?? 'Pod') === 'Pod' && typeof ref['name'] === 'string') {
      out.push({ namespace: typeof ref['namespace'] === 'string' ? ref['namespace'] : ns, name: ref['name'] });
    }
  }
  return out;
}

/** A plain JSON copy (typed client objects carry Dates and undefined-valued keys). */
function plain(o: unknown): Json {
  return JSON.parse(JSON.stringify(o)) as Json;
}

/**
 * Converts one object; throws FieldError when it is not valid for weft (the store skips it and
 * logs why). `apiVersion` is the group/version the object was listed from: typed list results
 * and watch events do not always carry apiVersion/kind on each item.
 */
export function toResource(kind: Kind, obj: KubernetesObject, podSa: PodServiceAccount, apiVersion = API_VERSION[kind] ?? ''): Resource {
  const doc = plain(obj);
  doc['apiVersion'] = apiVersion;
  doc['kind'] = kind;
  const meta = (doc['metadata'] ?? {}) as Json;
  if (typeof meta['resourceVersion'] !== 'string') throw new FieldError('metadata.resourceVersion', 'missing');
  if (kind === 'EndpointSlice') {
    const ns = typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default';
    // Kubernetes allows endpoints without addresses' readiness etc.; weft's validation also
    // requires the service-name label, which slices managed by the endpoint-slice controller have.
    for (const e of (doc['endpoints'] as Json[] | undefined) ?? []) {
      const ref = e['targetRef'] as Json | undefined;
      if (!ref || (ref['kind'] ?? 'Pod') !== 'Pod' || typeof ref['name'] !== 'string') continue;
      const refNs = typeof ref['namespace'] === 'string' ? ref['namespace'] : ns;
      const sa = podSa(refNs, ref['name']);
      if (sa) ref['serviceAccountName'] = sa;
    }
  }
  return validateResource(doc, meta['resourceVersion'] as string, typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default');
}
