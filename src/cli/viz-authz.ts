// `weft viz authz deploy/<name>` (or po/<name>, ns/<name>, or `deploy` for all): what inbound
// policy allowed and denied, per route, server and authorization, as `linkerd viz authz`.
import type { Command } from 'commander';
import { formatTable } from '../runtime/local/status.js';
import { authzTableOf } from '../viz/format.js';
import { common, parseOutput, timeWindow, vizSource } from './viz.js';
import type { SourceFlags } from './viz.js';

export function register(viz: Command): void {
  common(viz.command('authz <resource> [name]'))
    .description('inbound authorization per route, server and authorization: allowed RPS, unauthorized RPS, success rate (deploy/web, po/web-0, ns/demo, or deploy for all)')
    .action(async (resource: string, name: string | undefined, flags: SourceFlags & { namespace?: string; timeWindow: string; output: string }) => {
      const output = parseOutput(flags.output);
      const window = timeWindow(flags.timeWindow);
      const { api, missing } = await vizSource(flags);
      if (!api) throw missing('viz authz');
      const r = await api.authz({ resource: name ? `${resource}/${name}` : resource, namespace: flags.namespace, window });
      if (output === 'json') return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      const workloads = new Set(r.rows.map((x) => `${x.namespace}/${x.workload}`));
      if (r.rows.length === 0) process.stderr.write(`no inbound HTTP requests decided by policy in the last ${r.window}\n`);
      process.stdout.write(formatTable(authzTableOf(r.rows, workloads.size > 1)));
    });
}
