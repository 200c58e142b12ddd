// `weft demo`: the README's first command. `weft up` with the demo app (examples/demo), where
// to look, then `weft viz stat` every few seconds until Ctrl-C (then `weft down`), or with
// --detach leave it running.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../lib/errors.js';
import { everyUntilAborted } from './every-until-aborted.js';
import { down } from '../runtime/local/down.js';
import { DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';
import { formatTable } from '../runtime/local/status.js';
import { AlreadyUpError, WEFT_ROOT, up, webUrl } from '../runtime/local/up.js';
import { snapshot, statsBetween } from '../viz/scrape.js';
import { statTable } from '../viz/stat.js';
import { parseWindow } from './viz.js';

interface Flags {
  stateDir: string;
  detach?: boolean;
  loopback?: boolean;
  network: string;
  interval: string;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the demo app in a local mesh and show its traffic (Ctrl-C stops it)')
    .option('--state-dir <dir>', 'weft state directory', DEFAULT_WEFT_DIR)
    .option('--detach', 'leave the demo running (stop it with `weft down`)')
    .option('--loopback', 'force loopback mode (explicit proxy, no namespaces)')
    .option('--network <n>', 'network index: bridge weft<n>, pods 10.77.<n>.0/24', '0')
    .option('--interval <duration>', 'how often to print the stats', '5s')
    .action(async (flags: Flags) => {
      const meshFile = join(WEFT_ROOT, 'examples/demo/mesh.yaml');
      if (!existsSync(join(WEFT_ROOT, 'dist/examples/demo/main.js'))) {
        throw new ConfigError(`the demo app is not built: run \`npx tsc -p .\` in ${WEFT_ROOT}`);
      }
      const out = (l: string): void => void process.stdout.write(`${l}\n`);
      const intervalMs = parseWindow(flags.interval, '--interval');
      const r = await up({
        meshFile, stateDir: flags.stateDir, workingDir: WEFT_ROOT, networkIndex: Number(flags.network),
        mode: flags.loopback ? 'loopback' : 'auto', progress: out,
      }).catch(async (err: unknown) => {
        // A demo that did not come up is of no use half-made: take it down, then report.
        if (!(err instanceof AlreadyUpError)) await down(flags.stateDir).catch(() => undefined);
        throw err;
      });
      out('');
      out(`the demo is up (${r.mode} mode). Open ${webUrl(r.state, 'web') ?? '(no web workload)'} — vote-bot sends traffic all the time.`);
      out(`  weft ps --state-dir ${flags.stateDir}        pods, restarts, components`);
      out(`  weft viz stat --state-dir ${flags.stateDir}  golden metrics${r.state.prometheus ? ' (-t 1m, from Prometheus)' : ''}`);
      if (r.state.prometheus) {
        out(`  weft viz edges --state-dir ${flags.stateDir} -n demo         who talks to whom, over mTLS or not`);
        out(`  weft apply -f examples/demo/profiles.yaml --state-dir ${flags.stateDir}; weft viz routes svc/voting -n demo --state-dir ${flags.stateDir}`);
        out(`  Prometheus: ${r.state.prometheus.url}`);
        if (r.state.control.webAddr) out(`  Dashboard: http://${r.state.control.webAddr}/   (weft dashboard --state-dir ${flags.stateDir})`);
      }
      if (r.state.control.tapApiAddr) {
        out(`  weft viz top deploy/web -n demo --state-dir ${flags.stateDir}   live hottest paths (q quits)`);
        out(`  weft viz tap deploy/web -n demo --state-dir ${flags.stateDir}   live requests, with identities`);
      }
      out(`  weft logs web --proxy --state-dir ${flags.stateDir}`);
      if (flags.detach) return out(`  weft down --state-dir ${flags.stateDir}      stop it`);
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      process.once('SIGTERM', () => ac.abort());
      let before = await snapshot(r.state);
      let t0 = Date.now();
      await everyUntilAborted(intervalMs, ac.signal, async () => {
        const after = await snapshot(r.state);
        const rows = statsBetween(r.state, before, after, (Date.now() - t0) / 1000, 'deploy');
        out(`\n${new Date().toISOString()}  (Ctrl-C stops the demo)`);
        process.stdout.write(formatTable(statTable(rows)));
        before = after;
        t0 = Date.now();
      });
      out('\nstopping the demo');
      await down(flags.stateDir, out);
    });
}
