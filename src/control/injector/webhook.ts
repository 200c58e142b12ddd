// The proxy injector as an admission handler: pod CREATE in, inject() applied with the pod's
// namespace's annotations, the difference returned as a JSON patch. It never refuses a pod: a
// pod it cannot inject (bad config.weft.io/* annotation) is admitted unchanged with a warning
// kubectl shows, and anything else that goes wrong is admitted unchanged by the server.
import type { Logger } from '../../lib/log.js';
import type { AdmissionHandler, AdmissionResult } from '../webhook/admission.js';
import { fieldPatch } from '../webhook/admission.js';
import type { InjectorConfig } from './config.js';
import { InjectAnnotationError } from './errors.js';
import type { PodTemplate } from './inject.js';
import { inject } from './inject.js';

/** The only fields inject() changes, hence the only ones the patch touches. */
export const PATCHED_FIELDS: readonly (readonly string[])[] = [
  ['metadata', 'annotations'],
  ['metadata', 'labels'],
  ['spec', 'initContainers'],
  ['spec', 'containers'],
  ['spec', 'volumes'],
];

export interface InjectorHandlerOptions {
  readonly config: InjectorConfig;
  /** The annotations of a namespace (empty when it has none or is unknown). */
  readonly namespaceAnnotations: (name: string) => Promise<Readonly<Record<string, string>>>;
  readonly createdBy: string;
  readonly controlPlaneNamespace: string;
  readonly log?: Logger;
}

export function injectorHandler(o: InjectorHandlerOptions): AdmissionHandler {
  return async (req): Promise<AdmissionResult> => {
    if (req.kind.kind !== 'Pod' || req.operation !== 'CREATE' || !req.object) return { allowed: true };
    const pod = req.object as PodTemplate;
    // At CREATE, a pod's metadata.namespace may be empty; the request always says.
    const namespace = req.namespace ?? pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? (pod.metadata?.['generateName'] as string | undefined) ?? '';
    try {
      const out = inject(pod, o.config, {
        namespaceAnnotations: await o.namespaceAnnotations(namespace),
        createdBy: o.createdBy,
        controlPlaneNamespace: o.controlPlaneNamespace,
      });
      if (!out.injected) {
        o.log?.debug('not injected', { namespace, name, reason: out.reason });
        return { allowed: true };
      }
      o.log?.info('injected', { namespace, name, mode: out.mode });
      return { allowed: true, patch: fieldPatch(pod, out.pod, PATCHED_FIELDS) };
    } catch (err) {
      if (!(err instanceof InjectAnnotationError)) throw err;
      o.log?.warn('not injected: bad annotation', { namespace, name, error: err });
      return { allowed: true, warnings: [`weft: pod not injected: ${err.message}`] };
    }
  };
}
