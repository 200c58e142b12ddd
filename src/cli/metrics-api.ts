// `weft metrics-api`: the metrics API alone (it also runs inside `weft control`), answering
// `weft viz stat/edges/routes/authz` from a Prometheus. --store kubernetes is the Deployment
// `weft viz install` renders: pods, Services and ServiceProfiles from the API server (in-cluster
// credentials, or --kubeconfig); --store local reads a local mesh's state directory. With
// --listen-web it serves the dashboard too, over itself.
import type { Command } from 'commander';
import { formatAddress, parseAddress } from '../lib/address.js';
import type { Address } from '../lib/address.js';
import { parseDuration } from '../lib/duration.js';
import { ConfigError } from '../lib/errors.js';
import { Logger } from '../lib/log.js';
import type { Inventory } from '../control/metrics/inventory.js';
import { startMetricsApi } from '../control/metrics/server.js';
import { DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';
import { untilSignal } from './web.js';

interface Flags {
  store: string;
  listen: string;
  listenWeb?: string;
  prometheusUrl: string;
  scrapeInterval: string;
  trustDomain: string;
  clusterDomain: string;
  kubeconfig?: string;
  stateDir: string;
}

async function inventory(f: Flags): Promise<{ inventory: Inventory; close(): Promise<void> }> {
  if (f.store === 'kubernetes') {
    const [{ loadKubeConfig }, { KubernetesInventory }] = await Promise.all([import('../lib/kube.js'), import('../runtime/kubernetes/inventory.js')]);
    return { inventory: new KubernetesInventory(loadKubeConfig({ kubeconfig: f.kubeconfig }), f.trustDomain, f.clusterDomain, true), close: async () => undefined };
  }
  if (f.store !== 'local') throw new ConfigError(`--store ${f.store}: expected local or kubernetes`);
  const [{ LocalStore }, { statePaths }, { LocalInventory }] = await Promise.all([
    import('../control/store/local-store.js'), import('../runtime/local/run-state.js'), import('../runtime/local/viz-inventory.js'),
  ]);
  const paths = statePaths(f.stateDir);
  const store = await LocalStore.open(paths.store);
  return { inventory: new LocalInventory(paths.root, store, f.trustDomain, f.clusterDomain), close: () => store.close() };
}

const reachable = (a: Address, port: number): string => formatAddress({ host: a.host === '0.0.0.0' ? '127.0.0.1' : a.host, port });

export function register(program: Command): void {
  program
    .command('metrics-api')
    .description("run the metrics API alone (viz stat/edges/routes/authz over Prometheus); on a cluster: `weft viz install`'s Deployment")
    .requiredOption('--prometheus-url <url>', 'the Prometheus it queries, e.g. http://127.0.0.1:9090')
    .option('--store <kind>', 'kubernetes (pods and Services from the API server) or local (a mesh in --state-dir)', 'kubernetes')
    .option('--listen <addr>', 'metrics API address', '127.0.0.1:8085')
    .option('--listen-web <addr>', 'also serve the dashboard here (over this metrics API)')
    .option('--scrape-interval <duration>', "Prometheus' scrape interval (the shortest window is two of them)", '10s')
    .option('--trust-domain <domain>', "the mesh's trust domain (identities in edges)", 'cluster.local')
    .option('--cluster-domain <domain>', 'cluster domain of service names', 'cluster.local')
    .option('--kubeconfig <file>', 'kubernetes: kubeconfig (default: in-cluster, $KUBECONFIG)')
    .option('--state-dir <dir>', 'local: weft state directory of a running mesh', DEFAULT_WEFT_DIR)
    .action(async (f: Flags) => {
      const prometheusUrl = f.prometheusUrl.replace(/\/$/, '');
      if (!/^https?:\/\/[^/]+$/.test(prometheusUrl)) throw new ConfigError(`--prometheus-url ${f.prometheusUrl}: expected http(s)://host:port`);
      const listen = parseAddress(f.listen, '127.0.0.1');
      const scrapeIntervalMs = parseDuration(f.scrapeInterval, '--scrape-interval');
      const inv = await inventory(f);
      const log = new Logger('info', 'weft:metrics-api');
      const api = await startMetricsApi({ listen, prometheusUrl, scrapeIntervalMs, inventory: inv.inventory, log });
      let web: { port: number; close(): Promise<void> } | undefined;
      if (f.listenWeb) {
        const { startWebServer } = await import('../web/server.js');
        const metricsApiAddr = reachable(listen, api.port);
        web = await startWebServer({ listen: parseAddress(f.listenWeb, '127.0.0.1'), metricsApiAddr, health: { metricsApiAddr, prometheusUrl }, log: log.child('web') });
      }
      // Scripts and tests read the bound ports from this line.
      process.stdout.write(`metrics API ready: port ${api.port}${web ? `, web port ${web.port}` : ''}\n`);
      await untilSignal();
      await Promise.all([api.close(), web?.close(), inv.close()]);
      process.exit(0);
    });
}
