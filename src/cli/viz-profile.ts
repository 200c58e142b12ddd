// `weft viz profile <service> --tap deploy/x --tap-duration 10s`: watches a resource's live
// traffic through the tap component for a while and prints a ServiceProfile for <service> with
// one route per (method, path) it saw — the starting point `linkerd viz profile --tap` gives.
import type { Command } from 'commander';
import { tapStream } from '../control/tap/client.js';
import { parseDuration } from '../lib/duration.js';
import { ConfigError } from '../lib/errors.js';
import { ObservedRoutes, profileYaml } from '../viz/profile-from-tap.js';
import { runningMesh } from '../viz/source.js';
import { tapApiAddr, tapOptions, tapQuery, type TapFlags } from './viz-tap.js';

export function register(viz: Command): void {
  tapOptions(viz.command('profile <service>'))
    .description('a ServiceProfile for <service> from the routes observed with --tap')
    .requiredOption('--tap <resource>', 'observe this resource (deploy/x, po/x, svc/x)')
    .option('--tap-duration <duration>', 'how long to observe', '5s')
    .option('--cluster-domain <domain>', 'cluster domain of service names', 'cluster.local')
    .action(async (service: string, flags: TapFlags & { tap: string; tapDuration: string; clusterDomain: string }) => {
      if (service.includes('/')) throw new ConfigError(`profile: give the Service's name ("${service.slice(service.indexOf('/') + 1)}"), not ${service}`);
      const ms = parseDuration(flags.tapDuration, '--tap-duration');
      const state = await runningMesh(flags.stateDir);
      const seen = new ObservedRoutes();
      const s = tapStream(tapApiAddr(state), tapQuery(flags.tap, flags), {
        event: (e) => seen.add(e),
        proxyError: (pod, message) => void process.stderr.write(`tap ${pod}: ${message}\n`),
      });
      const timer = setTimeout(() => s.close(), ms);
      await s.done;
      clearTimeout(timer);
      if (seen.size === 0) process.stderr.write(`no requests observed on ${flags.tap} in ${flags.tapDuration}: the profile has no routes\n`);
      process.stdout.write(profileYaml(service, flags.namespace ?? 'default', flags.clusterDomain, seen.routes()));
    });
}
