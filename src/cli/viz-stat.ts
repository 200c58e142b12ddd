// `weft viz stat [type[/name]] [name]`: golden metrics per Deployment (default), pod, namespace
// or Service — success rate, RPS, p50/p95/p99, TCP connections, meshed pods — over -t, from the
// metrics API; --to/--from narrow to what one resource sent to / received from another.
// --kubernetes asks the cluster's metrics API (`weft viz install`) through the API server. A mesh
// without Prometheus (or a cluster without the viz extension) falls back to two direct scrapes
// of the proxies, deploy and ns only, and says so (on a cluster through the API server's pod
// proxy: viz/kubernetes.ts).
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import type { RunState } from '../runtime/local/run-state.js';
import { formatTable } from '../runtime/local/status.js';
import { statTableOf } from '../viz/format.js';
import { statOnce } from '../viz/scrape.js';
import { statTable } from '../viz/stat.js';
import type { StatRow } from '../viz/stat.js';
import { common, parseOutput, parseWindow, timeWindow, vizSource } from './viz.js';

interface Flags {
  stateDir: string;
  namespace?: string;
  timeWindow: string;
  output: string;
  window: string;
  from?: string;
  fromNamespace?: string;
  to?: string;
  toNamespace?: string;
  kubernetes?: boolean;
  kubeconfig?: string;
}

export function register(viz: Command): void {
  common(viz.command('stat [resource] [name]'))
    .description('success rate, RPS, latency and TCP connections per deploy (default), po, ns or svc')
    .option('--from <resource>', 'only traffic from this resource (e.g. deploy/vote-bot)')
    .option('--from-namespace <ns>', 'namespace of --from (default: -n)')
    .option('--to <resource>', 'only traffic to this resource (e.g. svc/web)')
    .option('--to-namespace <ns>', 'namespace of --to (default: -n)')
    .option('--window <duration>', 'without Prometheus: time between the two direct scrapes', '3s')
    .action(async (resource: string | undefined, name: string | undefined, flags: Flags) => {
      const output = parseOutput(flags.output);
      const window = timeWindow(flags.timeWindow);
      const res = resource ?? 'deploy';
      const src = await vizSource(flags);
      const api = src.api;
      if (!api) {
        const by = /^(deploy|deployment|deployments|workload|workloads)$/.test(res) ? 'deploy' : /^(ns|namespace|namespaces)$/.test(res) ? 'ns' : undefined;
        if (!by || name || flags.from || flags.to) throw src.missing(`viz stat ${[res, name].filter(Boolean).join(' ')}${flags.from ? ' --from' : ''}${flags.to ? ' --to' : ''}`);
        const rows = await directScrape(flags, src.state, by);
        if (output === 'json') return void process.stdout.write(JSON.stringify({ window: flags.window, source: 'scrape', rows }, null, 2) + '\n');
        return void process.stdout.write(formatTable(statTable(rows, by)));
      }
      const r = await api.stat({
        resource: name ? `${res}/${name}` : res, namespace: flags.namespace, window,
        from: flags.from, fromNamespace: flags.fromNamespace, to: flags.to, toNamespace: flags.toNamespace, wide: output === 'wide',
      });
      if (output === 'json') return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      if (name && r.rows.length === 0) throw new ConfigError(`viz stat: nothing for ${res}/${name}`);
      const isNs = r.rows[0]?.type === 'ns' || /^(ns|namespace|namespaces)/.test(res);
      process.stdout.write(formatTable(statTableOf(r.rows, { namespaceColumn: !isNs && !flags.namespace, wide: output === 'wide', title: isNs ? 'NAMESPACE' : 'NAME' })));
    });
}

/** Without a metrics API: two direct scrapes of the proxies, --window apart, saying so. */
async function directScrape(flags: Flags, state: RunState | undefined, by: 'deploy' | 'ns'): Promise<StatRow[]> {
  const windowMs = parseWindow(flags.window);
  if (state) {
    process.stderr.write(`prometheus is off in this mesh (weft up --no-prometheus): two direct scrapes of the proxies, ${flags.window} apart (--window)\n`);
    return (await statOnce(state, windowMs, by)).filter((r) => !flags.namespace || r.namespace === flags.namespace);
  }
  process.stderr.write(`the viz extension is not installed in this cluster (weft viz install | kubectl apply -f -): two direct scrapes of the meshed pods through the API server, ${flags.window} apart (--window)\n`);
  // Loaded only here: the local mesh's viz does not need the Kubernetes client.
  const [{ loadKubeConfig }, { kubernetesStatOnce }] = await Promise.all([import('../lib/kube.js'), import('../viz/kubernetes.js')]);
  return kubernetesStatOnce(loadKubeConfig({ kubeconfig: flags.kubeconfig }), windowMs, by, flags.namespace);
}
