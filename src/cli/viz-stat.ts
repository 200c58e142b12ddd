// `weft viz stat [type[/name]] [name]`: golden metrics per Deployment (default), pod, namespace
// or Service — success rate, RPS, p50/p95/p99, TCP connections, meshed pods — over -t, from the
// metrics API; --to/--from narrow to what one resource sent to / received from another. A mesh
// without Prometheus falls back to two direct scrapes of the proxies (deploy and ns only);
// --kubernetes scrapes a cluster's meshed pods the same way, through the API server (viz/kubernetes.ts).
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import { formatTable } from '../runtime/local/status.js';
import { statTableOf } from '../viz/format.js';
import { statOnce } from '../viz/scrape.js';
import { statTable } from '../viz/stat.js';
import { metricsApi, NoPrometheusError, runningMesh } from '../viz/source.js';
import { common, parseOutput, parseWindow, timeWindow } from './viz.js';

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
    .option('--kubernetes', "the cluster's meshed pods (scraped through the API server) instead of the local mesh")
    .option('--kubeconfig <file>', 'kubeconfig for --kubernetes (default: $KUBECONFIG, ~/.kube/config)')
    .action(async (resource: string | undefined, name: string | undefined, flags: Flags) => {
      const output = parseOutput(flags.output);
      const window = timeWindow(flags.timeWindow);
      if (flags.kubernetes) return kubernetesStat(resource ?? 'deploy', name, flags, output);
      const state = await runningMesh(flags.stateDir);
      const api = metricsApi(state);
      const res = resource ?? 'deploy';
      if (!api) {
        const by = /^(deploy|deployment|deployments|workload|workloads)$/.test(res) ? 'deploy' : /^(ns|namespace|namespaces)$/.test(res) ? 'ns' : undefined;
        if (!by || name || flags.from || flags.to) throw new NoPrometheusError(`viz stat ${[res, name].filter(Boolean).join(' ')}${flags.from ? ' --from' : ''}${flags.to ? ' --to' : ''}`);
        const windowMs = parseWindow(flags.window);
        process.stderr.write(`prometheus is off in this mesh (weft up --no-prometheus): two direct scrapes of the proxies, ${flags.window} apart (--window)\n`);
        const rows = (await statOnce(state, windowMs, by)).filter((r) => !flags.namespace || r.namespace === flags.namespace);
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

async function kubernetesStat(res: string, name: string | undefined, flags: Flags, output: string): Promise<void> {
  const by = /^(deploy|deployment|deployments|workload|workloads)$/.test(res) ? 'deploy' : /^(ns|namespace|namespaces)$/.test(res) ? 'ns' : undefined;
  if (!by || name || flags.from || flags.to) throw new ConfigError('viz stat --kubernetes: deploy or ns only, without a name, --from or --to (two direct scrapes of the pods)');
  // Loaded only here: the local mesh's viz does not need the Kubernetes client.
  const [{ loadKubeConfig }, { kubernetesStatOnce }] = await Promise.all([import('../lib/kube.js'), import('../viz/kubernetes.js')]);
  const rows = await kubernetesStatOnce(loadKubeConfig({ kubeconfig: flags.kubeconfig }), parseWindow(flags.window), by, flags.namespace);
  if (output === 'json') return void process.stdout.write(JSON.stringify({ window: flags.window, source: 'scrape', rows }, null, 2) + '\n');
  process.stdout.write(formatTable(statTable(rows, by)));
}
