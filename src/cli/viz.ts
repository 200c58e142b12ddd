// `weft viz stat|edges|routes|authz|tap|top`: observability of the local mesh, as `linkerd viz` —
// stat/edges/routes/authz answered by the control plane's metrics API from Prometheus (windows such as
// -t 1m, history across proxy restarts), tap/top by its tap component from the proxies live. Each subcommand is its own file; this one groups them and holds what they share.
// With --kubernetes the same commands ask a cluster's: the metrics API `weft viz install` runs,
// through the API server (runtime/kubernetes/viz/metrics-api.ts); `viz install|uninstall` manage it.
import type { Command } from 'commander';
import type { MetricsApiClient } from '../control/metrics/client.js';
import { ConfigError } from '../lib/errors.js';
import type { WeftError } from '../lib/errors.js';
import { parseDuration, promDuration } from '../lib/duration.js';
import type { RunState } from '../runtime/local/run-state.js';
import { DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';
import { metricsApi, NoPrometheusError, runningMesh } from '../viz/source.js';
import { register as stat } from './viz-stat.js';
import { register as edges } from './viz-edges.js';
import { register as routes } from './viz-routes.js';
import { register as tap } from './viz-tap.js';
import { register as top } from './viz-top.js';
import { register as profile } from './viz-profile.js';
import { register as authz } from './viz-authz.js';
import { register as install } from './viz-install.js';

/** "5s", "500ms", "1m" or a number of seconds: the direct-scrape window (or `weft demo --interval`). */
export function parseWindow(s: string, flag = '--window'): number {
  return parseDuration(s, flag);
}

/** -t, checked here so its error names the flag (the metrics API checks it against the scrape interval). */
export function timeWindow(s: string): string {
  return promDuration(parseDuration(s, '-t'));
}

export type Output = 'table' | 'wide' | 'json';

export function parseOutput(s: string): Output {
  if (s === 'table' || s === 'wide' || s === 'json') return s;
  throw new ConfigError(`-o: unknown output "${s}" (table, wide or json)`);
}

/** Flags every viz subcommand takes. */
export function common(cmd: Command): Command {
  return cmd
    .option('--state-dir <dir>', 'weft state directory', DEFAULT_WEFT_DIR)
    .option('-n, --namespace <ns>', 'only this namespace')
    .option('-t, --time-window <duration>', 'the window the numbers cover (at least two scrape intervals)', '1m')
    .option('-o, --output <format>', 'table, wide or json', 'table')
    .option('--kubernetes', "the cluster's metrics API (weft viz install), through the API server, instead of the local mesh's")
    .option('--kubeconfig <file>', 'kubeconfig for --kubernetes (default: $KUBECONFIG, ~/.kube/config)');
}

export interface SourceFlags {
  readonly stateDir: string;
  readonly kubernetes?: boolean | undefined;
  readonly kubeconfig?: string | undefined;
}

/** Where the numbers come from: a metrics API (the local mesh's or the cluster's), or none and why. */
export interface VizSource {
  readonly api: MetricsApiClient | undefined;
  /** The error for a command that needs the metrics API when there is none. */
  missing(what: string): WeftError;
  /** The local mesh (undefined with --kubernetes). */
  readonly state: RunState | undefined;
}

export async function vizSource(f: SourceFlags): Promise<VizSource> {
  if (!f.kubernetes) {
    const state = await runningMesh(f.stateDir);
    return { api: metricsApi(state), missing: (what) => new NoPrometheusError(what), state };
  }
  // Loaded only here: the local mesh's viz does not need the Kubernetes client.
  const [{ loadKubeConfig }, { clusterMetricsApi, VizNotInstalledError }] = await Promise.all([import('../lib/kube.js'), import('../runtime/kubernetes/viz/metrics-api.js')]);
  const api = await clusterMetricsApi(loadKubeConfig({ kubeconfig: f.kubeconfig }));
  return { api, missing: (what) => new VizNotInstalledError(what), state: undefined };
}

export function register(program: Command): void {
  const viz = program.command('viz').description('observability of the mesh (metrics from Prometheus, live requests from tap), local or --kubernetes; viz install for a cluster');
  stat(viz);
  edges(viz);
  routes(viz);
  tap(viz);
  top(viz);
  profile(viz);
  authz(viz);
  install(viz);
}
