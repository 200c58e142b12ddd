// The shared shape of weft's validating admission handlers: the API server asks before storing
// an object of a kind weft reads, and gets a refusal naming the bad field (`AuthorizationPolicy
// "a" is invalid: spec.targetRef: expected an object, got nothing (the field is missing)`),
// checked by the same validation the store reads objects with, so what is stored can be served.
import { FieldError } from '../store/fields.js';
import { validateResource } from '../store/validate.js';
import type { AdmissionHandler, AdmissionRequest, AdmissionResult } from '../webhook/admission.js';

/** "group/version Kind" (or "v1 Kind" for the core group), as validateResource keys kinds. */
export function apiKind(req: AdmissionRequest): string {
  const { group, version, kind } = req.kind;
  return `${group ? `${group}/${version}` : version} ${kind}`;
}

/**
 * Validates CREATE and UPDATE of the requests `accepts` picks; everything else is admitted (a
 * kind weft does not read is not weft's to refuse). The object carries its apiVersion and kind
 * (the API server sends it whole); the request's kind fills them in if it does not.
 */
export function resourceValidator(accepts: (req: AdmissionRequest) => boolean): AdmissionHandler {
  return async (req): Promise<AdmissionResult> => {
    if ((req.operation !== 'CREATE' && req.operation !== 'UPDATE') || !accepts(req)) return { allowed: true };
    const doc = req.object as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: string } } | undefined;
    const name = doc?.metadata?.name ?? req.name ?? '';
    const [apiVersion] = apiKind(req).split(' ');
    const object = doc && typeof doc === 'object' ? { ...doc, apiVersion: doc.apiVersion ?? apiVersion, kind: doc.kind ?? req.kind.kind } : doc;
    try {
      validateResource(object, '0', req.namespace ?? 'default');
      return { allowed: true };
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      return { allowed: false, code: 422, message: `${req.kind.kind} "${name}" is invalid: ${err.path || '<root>'}: ${err.problem}` };
    }
  };
}
