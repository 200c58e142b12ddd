// `weft dashboard`: the URL of the mesh's dashboard — the one the control plane serves, when it
// answers; otherwise one started here (over the same metrics API) until Ctrl-C. With --kubernetes:
// the cluster's (`weft viz install`), relayed on loopback through the API server until Ctrl-C
// (runtime/kubernetes/viz/dashboard-proxy.ts).
import type { Command } from 'commander';
import { readRunState } from '../runtime/local/run-state.js';
import { dashboardAnswers } from '../web/targets.js';
import { parseAddress } from '../lib/address.js';
import type { WebFlags } from './web.js';
import { addWebOptions, serveDashboard, untilSignal } from './web.js';

export function register(program: Command): void {
  addWebOptions(program.command('dashboard').description('print the URL of the mesh\'s dashboard (starting one if the control plane serves none)'), '127.0.0.1:0')
    .option('--kubernetes', "the cluster's dashboard (weft viz install), relayed here through the API server")
    .option('--kubeconfig <file>', 'kubeconfig for --kubernetes (default: $KUBECONFIG, ~/.kube/config)')
    .action(async (flags: WebFlags & { kubernetes?: boolean; kubeconfig?: string }) => {
      if (flags.kubernetes) return clusterDashboard(flags);
      const state = await readRunState(flags.stateDir);
      const addr = state?.control.webAddr;
      if (addr && !flags.metricsApi && (await dashboardAnswers(addr))) {
        process.stdout.write(`dashboard: http://${addr}/\n`);
        return;
      }
      const web = await serveDashboard(flags);
      process.stdout.write(`dashboard: ${web.url}\n${addr ? `(the control plane's dashboard at ${addr} does not answer: serving one here)\n` : ''}Ctrl-C stops it.\n`);
      await untilSignal();
      await web.close();
      process.exit(0);
    });
}

async function clusterDashboard(flags: { listen: string; kubeconfig?: string }): Promise<void> {
  // Loaded only here: the local mesh's dashboard does not need the Kubernetes client.
  const [{ loadKubeConfig }, { clusterMetricsApi, VizNotInstalledError }, { startDashboardProxy }, { Logger }] = await Promise.all([
    import('../lib/kube.js'), import('../runtime/kubernetes/viz/metrics-api.js'), import('../runtime/kubernetes/viz/dashboard-proxy.js'), import('../lib/log.js'),
  ]);
  const kc = loadKubeConfig({ kubeconfig: flags.kubeconfig });
  if (!(await clusterMetricsApi(kc))) throw new VizNotInstalledError('weft dashboard');
  const relay = await startDashboardProxy(kc, parseAddress(flags.listen, '127.0.0.1'), new Logger('info', 'weft:dashboard'));
  process.stdout.write(`dashboard: ${relay.url}\n(the cluster's, through the API server) Ctrl-C stops it.\n`);
  await untilSignal();
  await relay.close();
  process.exit(0);
}
