// `weft viz stat [deploy|ns]`: golden metrics per workload (or namespace) of the local mesh,
// from two scrapes of each proxy's /metrics a window apart. Thin: see src/viz/.
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import { DEFAULT_WEFT_DIR, readRunState } from '../runtime/local/run-state.js';
import { formatTable } from '../runtime/local/status.js';
import { statOnce } from '../viz/scrape.js';
import { statTable } from '../viz/stat.js';

/** "5s", "500ms", "1m" or a number of seconds. */
export function parseWindow(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new ConfigError(`--window: invalid duration "${s}" (e.g. 5s, 500ms, 1m)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

export function register(program: Command): void {
  const viz = program.command('viz').description('observability of the mesh (local, or on Kubernetes with --kubernetes)');
  viz
    .command('stat [resource]')
    .description('success rate, RPS, latency and TCP connections per deploy (default) or ns')
    .option('--state-dir <dir>', 'weft state directory', DEFAULT_WEFT_DIR)
    .option('--window <duration>', 'time between the two scrapes', '3s')
    .option('-n, --namespace <ns>', 'only this namespace')
    .option('--kubernetes', "the cluster's meshed pods (scraped through the API server) instead of the local mesh")
    .option('--kubeconfig <file>', 'kubeconfig for --kubernetes (default: $KUBECONFIG, ~/.kube/config)')
    .action(async (resource: string | undefined, flags: { stateDir: string; window: string; namespace?: string; kubernetes?: boolean; kubeconfig?: string }) => {
      const by = resource === undefined || /^(deploy|deployment|deployments|workload|workloads)$/.test(resource) ? 'deploy' : /^(ns|namespace|namespaces)$/.test(resource) ? 'ns' : undefined;
      if (!by) throw new ConfigError(`viz stat: unknown resource "${resource}" (deploy or ns)`);
      if (flags.kubernetes) {
        // Loaded only here: the local mesh's viz does not need the Kubernetes client.
        const [{ loadKubeConfig }, { kubernetesStatOnce }] = await Promise.all([import('../lib/kube.js'), import('../viz/kubernetes.js')]);
        const rows = await kubernetesStatOnce(loadKubeConfig({ kubeconfig: flags.kubeconfig }), parseWindow(flags.window), by, flags.namespace);
        process.stdout.write(formatTable(statTable(rows, by)));
        return;
      }
      const state = await readRunState(flags.stateDir);
      if (!state) throw new ConfigError(`no mesh is up in ${flags.stateDir}`);
      const rows = (await statOnce(state, parseWindow(flags.window), by)).filter((r) => !flags.namespace || r.namespace === flags.namespace);
      process.stdout.write(formatTable(statTable(rows, by)));
    });
}
