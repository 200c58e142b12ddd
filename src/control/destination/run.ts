// `weft destination` as a library call: open the store (local: following the state directory,
// so `weft apply` from another process takes effect live; kubernetes: informers over the
// cluster) and serve the Destination API.
import type { Logger } from '../../lib/log.js';
import { openStore } from '../store/open.js';
import type { StoreKind } from '../store/open.js';
import { startDestinationServer } from './server.js';
import type { DestinationOptions, RunningDestination } from './server.js';

export interface RunDestinationOptions extends Partial<DestinationOptions> {
  readonly stateDir: string;
  readonly listen: string;
  /** Default 'local'. */
  readonly store?: StoreKind;
  readonly kubeconfig?: string | undefined;
}

export async function runDestination(opts: RunDestinationOptions, log?: Logger): Promise<RunningDestination> {
  const store = await openStore({ store: opts.store ?? 'local', stateDir: opts.stateDir, kubeconfig: opts.kubeconfig, log });
  try {
    const running = await startDestinationServer(store, opts.listen, opts, undefined, log);
    log?.info('destination service listening', { listen: opts.listen, port: running.port, store: opts.store ?? 'local' });
    return {
      ...running,
      close: async () => {
        await running.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
