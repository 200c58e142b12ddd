// `weft viz edges [deploy|po|ns]`: which resources talk to which over HTTP in the window, with
// the identities the proxies verified and whether it was mTLS (from the metrics API).
import type { Command } from 'commander';
import { formatTable } from '../runtime/local/status.js';
import { edgesTableOf } from '../viz/format.js';
import { common, parseOutput, timeWindow, vizSource } from './viz.js';
import type { SourceFlags } from './viz.js';

export function register(viz: Command): void {
  common(viz.command('edges [resource]'))
    .description('who talks to whom (deploy, po or ns), with client and server identities and whether it is secured')
    .action(async (resource: string | undefined, flags: SourceFlags & { namespace?: string; timeWindow: string; output: string }) => {
      const output = parseOutput(flags.output);
      const window = timeWindow(flags.timeWindow);
      const { api, missing } = await vizSource(flags);
      if (!api) throw missing('viz edges');
      const r = await api.edges({ resource: resource ?? 'deploy', namespace: flags.namespace, window });
      if (output === 'json') return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      process.stdout.write(formatTable(edgesTableOf(r.edges, output === 'wide')));
    });
}
