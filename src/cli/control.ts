// `weft control`: identity + destination (+ the metrics API, given a Prometheus) in one process
// over a weft state directory (<dir>/identity: the CA, created on first start; <dir>/state: the
// local store; <dir>/run.json: the pods the metrics API reports on). Thin: see
// src/control/main.ts.
import type { Command } from 'commander';
import { parseAddress } from '../lib/address.js';
import { parseDuration } from '../lib/duration.js';
import { ConfigError } from '../lib/errors.js';
import { Logger } from '../lib/log.js';
import { startControlPlane } from '../control/main.js';
import { LocalStore } from '../control/store/local-store.js';
import { DEFAULT_WEFT_DIR, statePaths } from '../runtime/local/run-state.js';
import { LocalInventory } from '../runtime/local/viz-inventory.js';

interface Flags {
  stateDir: string;
  listenIdentity: string;
  listenDestination: string;
  listenMetricsApi?: string;
  listenTap?: string;
  listenWeb?: string;
  prometheusUrl?: string;
  scrapeInterval: string;
  trustDomain: string;
  clusterDomain: string;
}

export function register(program: Command): void {
  program
    .command('control')
    .description('run the control plane (identity, destination, metrics API, tap, dashboard) over a local state directory')
    .option('--state-dir <dir>', 'weft state directory (identity/ and state/ inside)', DEFAULT_WEFT_DIR)
    .option('--listen-identity <addr>', 'identity gRPC (TLS) address', '127.0.0.1:8080')
    .option('--listen-destination <addr>', 'destination gRPC address', '127.0.0.1:8086')
    .option('--listen-metrics-api <addr>', 'metrics API address (needs --prometheus-url)')
    .option('--listen-tap <addr>', 'tap API address (the tap component: `weft viz tap/top`)')
    .option('--listen-web <addr>', 'dashboard address (needs the metrics API; give a non-loopback host only on purpose)')
    .option('--prometheus-url <url>', 'the Prometheus the metrics API queries, e.g. http://127.0.0.1:9090')
    .option('--scrape-interval <duration>', "Prometheus' scrape interval (the shortest window is two of them)", '5s')
    .option('--trust-domain <domain>', 'identity trust domain (first start only)', 'cluster.local')
    .option('--cluster-domain <domain>', 'cluster domain of service names', 'cluster.local')
    .action(async (flags: Flags) => {
      if ((flags.listenMetricsApi === undefined) !== (flags.prometheusUrl === undefined)) {
        throw new ConfigError('--listen-metrics-api and --prometheus-url go together');
      }
      if (flags.listenWeb !== undefined && flags.listenMetricsApi === undefined) {
        throw new ConfigError('--listen-web needs --listen-metrics-api and --prometheus-url (the dashboard reads the metrics API)');
      }
      const log = new Logger('info', 'weft:control');
      const paths = statePaths(flags.stateDir);
      const profiles = flags.listenMetricsApi || flags.listenTap ? await LocalStore.open(paths.store) : undefined;
      const cp = await startControlPlane({
        storeDir: paths.store,
        identityDir: paths.identity,
        listenIdentity: parseAddress(flags.listenIdentity, '127.0.0.1'),
        listenDestination: parseAddress(flags.listenDestination, '127.0.0.1'),
        trustDomain: flags.trustDomain,
        clusterDomain: flags.clusterDomain,
        log,
        ...(flags.listenMetricsApi && flags.prometheusUrl && profiles ? {
          metricsApi: {
            listen: parseAddress(flags.listenMetricsApi, '127.0.0.1'),
            prometheusUrl: flags.prometheusUrl.replace(/\/$/, ''),
            scrapeIntervalMs: parseDuration(flags.scrapeInterval, '--scrape-interval'),
            inventory: (trustDomain: string) => new LocalInventory(paths.root, profiles, trustDomain, flags.clusterDomain),
          },
        } : {}),
        ...(flags.listenTap && profiles ? {
          tap: {
            listen: parseAddress(flags.listenTap, '127.0.0.1'),
            inventory: (trustDomain: string) => new LocalInventory(paths.root, profiles, trustDomain, flags.clusterDomain),
          },
        } : {}),
        ...(flags.listenWeb && flags.prometheusUrl ? { web: { listen: parseAddress(flags.listenWeb, '127.0.0.1'), prometheusUrl: flags.prometheusUrl.replace(/\/$/, '') } } : {}),
      });
      // Scripts (and `weft up`) read the bound ports from this line.
      process.stdout.write(`control plane ready: identity port ${cp.identityPort}, destination port ${cp.destinationPort}${cp.metricsApiPort ? `, metrics API port ${cp.metricsApiPort}` : ''}${cp.tapApiPort ? `, tap API port ${cp.tapApiPort}` : ''}${cp.webPort ? `, web port ${cp.webPort}` : ''}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await cp.close();
      await profiles?.close();
      process.exit(0);
    });
}
