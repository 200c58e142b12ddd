// The ServiceProfile validator as an admission handler: the API server asks before storing a
// ServiceProfile (either CRD), and gets a refusal naming the bad field —
// `spec.routes[0].condition.method: "GE T" is not an HTTP method` — checked by the same
// validation the destination service reads profiles with, so what is stored can be served.
import { FieldError } from '../store/fields.js';
import { validateResource } from '../store/validate.js';
import type { AdmissionHandler, AdmissionResult } from '../webhook/admission.js';

export function serviceProfileValidator(): AdmissionHandler {
  return async (req): Promise<AdmissionResult> => {
    if (req.kind.kind !== 'ServiceProfile' || (req.operation !== 'CREATE' && req.operation !== 'UPDATE')) return { allowed: true };
    const doc = req.object as { metadata?: { name?: string } } | undefined;
    const name = doc?.metadata?.name ?? req.name ?? '';
    try {
      validateResource(req.object, '0', req.namespace ?? 'default');
      return { allowed: true };
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      return { allowed: false, code: 422, message: `ServiceProfile "${name}" is invalid: ${err.path || '<root>'}: ${err.problem}` };
    }
  };
}
