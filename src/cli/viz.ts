// `weft viz stat|edges|routes|authz|tap|top`: observability of the local mesh, as `linkerd viz` —
// stat/edges/routes/authz answered by the control plane's metrics API from Prometheus (windows such as
// -t 1m, history across proxy restarts), tap/top by its tap component from the proxies live. Each subcommand is its own file; this one groups them and holds what they share.
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import { parseDuration, promDuration } from '../lib/duration.js';
import { DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';
import { register as stat } from './viz-stat.js';
import { register as edges } from './viz-edges.js';
import { register as routes } from './viz-routes.js';
import { register as tap } from './viz-tap.js';
import { register as top } from './viz-top.js';
import { register as profile } from './viz-profile.js';
import { register as authz } from './viz-authz.js';

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
    .option('-o, --output <format>', 'table, wide or json', 'table');
}

export function register(program: Command): void {
  const viz = program.command('viz').description('observability of the local mesh (metrics from Prometheus, live requests from tap)');
  stat(viz);
  edges(viz);
  routes(viz);
  tap(viz);
  top(viz);
  profile(viz);
  authz(viz);
}
