// Picks the store backend at the edge (`--store local|kubernetes`): nothing above it learns
// which one it has. The Kubernetes backend (and its client library) is loaded only when asked
// for, so the local runtime does not pay for it.
import { ConfigError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { LocalStore } from './local-store.js';
import type { Store } from './types.js';

export const STORE_KINDS = ['local', 'kubernetes'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export function parseStoreKind(s: string): StoreKind {
  if ((STORE_KINDS as readonly string[]).includes(s)) return s as StoreKind;
  throw new ConfigError(`unknown store "${s}" (expected ${STORE_KINDS.join(' or ')})`);
}

export interface OpenStoreOptions {
  readonly store: StoreKind;
  /** Local backend: its state directory. */
  readonly stateDir: string;
  /** Kubernetes backend: a kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig?: string | undefined;
  readonly log?: Logger | undefined;
}

export async function openStore(o: OpenStoreOptions): Promise<Store> {
  if (o.store === 'local') return LocalStore.open(o.stateDir);
  const [{ loadKubeConfig }, { KubernetesStore }] = await Promise.all([
    import('../../lib/kube.js'),
    import('./kubernetes/kubernetes-store.js'),
  ]);
  return KubernetesStore.open(loadKubeConfig({ kubeconfig: o.kubeconfig }), { log: o.log?.child('store') });
}
