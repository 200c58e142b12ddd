// The ServiceProfile validator: either CRD (weft.io, linkerd.io), refused with the field named —
// `spec.routes[0].condition.method: "GE T" is not an HTTP method`.
import type { AdmissionHandler } from '../webhook/admission.js';
import { resourceValidator } from './resource.js';

export function serviceProfileValidator(): AdmissionHandler {
  return resourceValidator((req) => req.kind.kind === 'ServiceProfile');
}
