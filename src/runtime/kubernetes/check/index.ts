// The categories `weft check` runs, in order, for each mode.
import { weftConfig, weftExistence } from './control-plane.js';
import type { CheckContext, CheckOptions } from './context.js';
import { weftDataPlane } from './data-plane.js';
import { weftIdentity } from './identity.js';
import { kubernetesApi, kubernetesVersion, preKubernetesSetup } from './kubernetes.js';
import type { Category } from './types.js';
import { weftWebhooks } from './webhooks.js';

export function categoriesFor(o: Pick<CheckOptions, 'pre' | 'proxy'>): Category[] {
  if (o.pre) return [kubernetesApi, kubernetesVersion, preKubernetesSetup];
  return [kubernetesApi, kubernetesVersion, weftExistence, weftConfig, weftIdentity, weftWebhooks, ...(o.proxy ? [weftDataPlane] : [])];
}

export type { CheckContext, CheckOptions };
