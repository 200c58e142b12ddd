// `weft control`: identity + destination in one process over a weft state directory
// (<dir>/identity: the CA, created on first start; <dir>/state: the local store). Thin: see
// src/control/main.ts.
import type { Command } from 'commander';
import { parseAddress } from '../lib/address.js';
import { Logger } from '../lib/log.js';
import { startControlPlane } from '../control/main.js';
import { DEFAULT_WEFT_DIR, statePaths } from '../runtime/local/run-state.js';

interface Flags {
  stateDir: string;
  listenIdentity: string;
  listenDestination: string;
  trustDomain: string;
  clusterDomain: string;
}

export function register(program: Command): void {
  program
    .command('control')
    .description('run the control plane (identity and destination) over a local state directory')
    .option('--state-dir <dir>', 'weft state directory (identity/ and state/ inside)', DEFAULT_WEFT_DIR)
    .option('--listen-identity <addr>', 'identity gRPC (TLS) address', '127.0.0.1:8080')
    .option('--listen-destination <addr>', 'destination gRPC address', '127.0.0.1:8086')
    .option('--trust-domain <domain>', 'identity trust domain (first start only)', 'cluster.local')
    .option('--cluster-domain <domain>', 'cluster domain of service names', 'cluster.local')
    .action(async (flags: Flags) => {
      const log = new Logger('info', 'weft:control');
      const paths = statePaths(flags.stateDir);
      const cp = await startControlPlane({
        storeDir: paths.store,
        identityDir: paths.identity,
        listenIdentity: parseAddress(flags.listenIdentity, '127.0.0.1'),
        listenDestination: parseAddress(flags.listenDestination, '127.0.0.1'),
        trustDomain: flags.trustDomain,
        clusterDomain: flags.clusterDomain,
        log,
      });
      // Scripts (and `weft up`) read the bound ports from this line.
      process.stdout.write(`control plane ready: identity port ${cp.identityPort}, destination port ${cp.destinationPort}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await cp.close();
      process.exit(0);
    });
}
