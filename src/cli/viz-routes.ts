// `weft viz routes svc/<name> | deploy/<name> [--to svc/<name>]`: per ServiceProfile route
// (and [DEFAULT] for requests no route matches) success rate, RPS and latencies; -o wide adds
// each route's mean request/response body bytes and proxy CPU time per request.
import type { Command } from 'commander';
import { formatTable } from '../runtime/local/status.js';
import { routesTableOf } from '../viz/format.js';
import { common, parseOutput, timeWindow, vizSource } from './viz.js';
import type { SourceFlags } from './viz.js';

export function register(viz: Command): void {
  common(viz.command('routes <resource> [name]'))
    .description('per-route stats from ServiceProfiles, for a Service (svc/web) or the Services of a workload')
    .option('--to <resource>', 'only what the resource sent to this Service (e.g. --to svc/catalog)')
    .option('--to-namespace <ns>', 'namespace of --to (default: -n)')
    .action(async (resource: string, name: string | undefined, flags: SourceFlags & { namespace?: string; timeWindow: string; output: string; to?: string; toNamespace?: string }) => {
      const output = parseOutput(flags.output);
      const window = timeWindow(flags.timeWindow);
      const { api, missing } = await vizSource(flags);
      if (!api) throw missing('viz routes');
      const r = await api.routes({ resource: name ? `${resource}/${name}` : resource, namespace: flags.namespace, window, to: flags.to, toNamespace: flags.toNamespace });
      if (output === 'json') return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      for (const s of r.withoutProfile) process.stderr.write(`no ServiceProfile for svc/${s.split('/')[1]} in namespace ${s.split('/')[0]}: every request is [DEFAULT] (weft apply -f a profile)\n`);
      process.stdout.write(formatTable(routesTableOf(r.rows, output === 'wide')));
    });
}
