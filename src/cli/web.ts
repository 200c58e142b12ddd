// `weft web`: the dashboard alone, over a running mesh's metrics API (found in run.json, or
// given). `weft control` runs the same server in-process; this is for running it elsewhere or
// on another address. Thin: see src/web/.
import type { Command } from 'commander';
import { parseAddress } from '../lib/address.js';
import { parseDuration } from '../lib/duration.js';
import { Logger } from '../lib/log.js';
import { DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';
import { startWebServer } from '../web/server.js';
import { tapApiSource } from '../web/tap-api-source.js';
import { webTargets } from '../web/targets.js';
import { parseWindow } from './viz.js';

export interface WebFlags {
  stateDir: string;
  listen: string;
  metricsApi?: string;
  prometheusUrl?: string;
  identityAddr?: string;
  destinationAddr?: string;
  window: string;
  refresh: string;
}

export function addWebOptions(cmd: Command, defaultListen: string): Command {
  return cmd
    .option('--state-dir <dir>', 'weft state directory (run.json says where the metrics API and components are)', DEFAULT_WEFT_DIR)
    .option('--listen <addr>', 'address to serve on (loopback by default; 0.0.0.0 exposes the dashboard to the network)', defaultListen)
    .option('--metrics-api <addr>', 'metrics API host:port (default: from run.json)')
    .option('--prometheus-url <url>', 'Prometheus to check for health (default: from run.json)')
    .option('--identity-addr <addr>', 'identity host:port to check (default: from run.json)')
    .option('--destination-addr <addr>', 'destination host:port to check (default: from run.json)')
    .option('-t, --window <duration>', 'stat window the pages show', '1m')
    .option('--refresh <duration>', 'how often open pages update', '5s');
}

/** Starts the server from the flags; resolves with its URL and a close. */
export async function serveDashboard(flags: WebFlags): Promise<{ url: string; close(): Promise<void> }> {
  parseWindow(flags.window, '--window');
  const refreshMs = parseDuration(flags.refresh, '--refresh');
  const t = await webTargets(flags);
  return startWebServer({
    listen: parseAddress(flags.listen, '127.0.0.1'), metricsApiAddr: t.metricsApiAddr, health: t.health, window: flags.window, refreshMs,
    // The tap page reads the mesh's tap API when the mesh runs one.
    ...(t.state?.control.tapApiAddr ? { tap: tapApiSource(t.state.control.tapApiAddr) } : {}),
    log: new Logger('info', 'weft:web'),
  });
}

export async function untilSignal(): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

export function register(program: Command): void {
  addWebOptions(program.command('web').description('serve the dashboard (read-only) over a mesh\'s metrics API'), '127.0.0.1:8084')
    .action(async (flags: WebFlags) => {
      const web = await serveDashboard(flags);
      process.stdout.write(`dashboard: ${web.url}\n`);
      await untilSignal();
      await web.close();
      process.exit(0);
    });
}
