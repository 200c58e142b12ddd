// `weft viz tap <resource>`: the live requests of a resource's proxies, from the control plane's
// tap component (which observes each proxy over mTLS). Lines like `linkerd viz tap`, or -o json
// (one event per line). Runs until Ctrl-C, or until every proxy's tap has ended. With
// --kubernetes, the cluster's tap component, through the API server (runtime/kubernetes/tap-api.ts).
import type { Command } from 'commander';
import { tapStream, type TapApiVia, type TapQuery } from '../control/tap/client.js';
import { ConfigError, WeftError } from '../lib/errors.js';
import type { RunState } from '../runtime/local/run-state.js';
import { DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';
import { tapLine } from '../viz/tap-lines.js';
import { runningMesh } from '../viz/source.js';

export interface TapFlags {
  stateDir: string;
  namespace?: string;
  to?: string;
  toNamespace?: string;
  method?: string;
  path?: string;
  authority?: string;
  maxRps: string;
}

/** The filter flags `tap`, `top` and `profile --tap` share. */
export function tapOptions(cmd: Command): Command {
  return cmd
    .option('--state-dir <dir>', 'weft state directory', DEFAULT_WEFT_DIR)
    .option('-n, --namespace <ns>', 'namespace of the resource')
    .option('--to <resource>', 'only requests to this resource (deploy/x, po/x, svc/x)')
    .option('--to-namespace <ns>', 'namespace of --to (default: -n)')
    .option('--method <method>', 'only this HTTP method')
    .option('--path <prefix>', 'only paths starting with this')
    .option('--authority <authority>', 'only this :authority')
    .option('--max-rps <n>', 'at most this many requests per second are shown', '100');
}

export function tapQuery(resource: string, f: TapFlags): TapQuery {
  const maxRps = Number(f.maxRps);
  if (!Number.isFinite(maxRps) || maxRps <= 0) throw new ConfigError(`--max-rps ${f.maxRps}: expected a positive number`);
  return { resource, namespace: f.namespace, to: f.to, toNamespace: f.toNamespace, method: f.method, path: f.path, authority: f.authority, maxRps };
}

/** Where the tap API is: the local mesh's, or with --kubernetes the cluster's through the API server. */
export async function tapApi(flags: { stateDir: string; kubernetes?: boolean; kubeconfig?: string }): Promise<{ addr: string; via?: TapApiVia }> {
  if (!flags.kubernetes) return { addr: tapApiAddr(await runningMesh(flags.stateDir)) };
  const [{ loadKubeConfig }, { clusterTapApi }] = await Promise.all([import('../lib/kube.js'), import('../runtime/kubernetes/tap-api.js')]);
  return { addr: 'svc/weft-tap in weft, through the API server', via: await clusterTapApi(loadKubeConfig({ kubeconfig: flags.kubeconfig })) };
}

export function tapApiAddr(state: RunState): string {
  const addr = state.control.tapApiAddr;
  if (!addr) throw new WeftError('WEFT_ERR_NO_TAP', 'this mesh was started by a weft without the tap component: `weft down`, then `weft up` again');
  return addr;
}

export function register(viz: Command): void {
  tapOptions(viz.command('tap <resource>'))
    .description('stream the requests a resource (deploy/x, po/x, svc/x, ns/x) sends and receives, live')
    .option('-o, --output <format>', 'line or json (one event per line)', 'line')
    .option('--kubernetes', "the cluster's tap component (through the API server) instead of the local mesh's")
    .option('--kubeconfig <file>', 'kubeconfig for --kubernetes (default: $KUBECONFIG, ~/.kube/config)')
    .action(async (resource: string, flags: TapFlags & { output: string; kubernetes?: boolean; kubeconfig?: string }) => {
      if (flags.output !== 'line' && flags.output !== 'json') throw new ConfigError(`-o: unknown output "${flags.output}" (line or json)`);
      const { addr, via } = await tapApi(flags);
      const json = flags.output === 'json';
      const s = tapStream(addr, tapQuery(resource, flags), {
        event: (e) => void process.stdout.write((json ? JSON.stringify(e) : tapLine(e)) + '\n'),
        proxyError: (pod, message) => void process.stderr.write(`tap ${pod}: ${message}\n`),
      }, via);
      process.once('SIGINT', () => s.close());
      process.once('SIGTERM', () => s.close());
      await s.done;
    });
}
