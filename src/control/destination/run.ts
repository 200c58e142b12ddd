// `weft destination` as a library call: open the local store (following the state directory,
// so `weft apply` from another process takes effect live) and serve the Destination API.
import { LocalStore } from '../store/local-store.js';
import type { Logger } from '../../lib/log.js';
import { startDestinationServer } from './server.js';
import type { DestinationOptions, RunningDestination } from './server.js';

export interface RunDestinationOptions extends Partial<DestinationOptions> {
  readonly stateDir: string;
  readonly listen: string;
}

export async function runDestination(opts: RunDestinationOptions, log?: Logger): Promise<RunningDestination> {
  const store = await LocalStore.open(opts.stateDir);
  try {
    const running = await startDestinationServer(store, opts.listen, opts, undefined, log);
    log?.info('destination service listening', { listen: opts.listen, port: running.port, stateDir: opts.stateDir });
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
