// `weft destination`: runs the destination service (endpoints and service profiles for proxies)
// over the local store in --state-dir. Thin: see control/destination/run.ts.
import type { Command } from 'commander';
import { Logger } from '../lib/log.js';
import { DEFAULT_STATE_DIR } from '../control/store/state-dir.js';
import { runDestination } from '../control/destination/run.js';

interface Flags {
  stateDir: string;
  listen: string;
  trustDomain: string;
  clusterDomain: string;
  defaultNamespace: string;
}

export function register(program: Command): void {
  program
    .command('destination')
    .description('serve the Destination gRPC API (Linkerd-compatible) from the local store')
    .option('--state-dir <dir>', 'local store state directory', DEFAULT_STATE_DIR)
    .option('--listen <addr>', 'address to serve gRPC on', '127.0.0.1:8086')
    .option('--trust-domain <domain>', 'identity trust domain', 'cluster.local')
    .option('--cluster-domain <domain>', 'Kubernetes cluster domain of service names', 'cluster.local')
    .option('--default-namespace <ns>', 'namespace of short names without one', 'default')
    .action(async (flags: Flags) => {
      const log = new Logger('info', 'weft:destination');
      const running = await runDestination(flags, log);
      // Tests and scripts read the bound port from this line (useful with --listen :0).
      process.stdout.write(`listening on port ${running.port}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
    });
}
