// `weft up -f mesh.yaml`: start the control plane and every workload of the file, each in its
// own network namespace with transparent interception (root), or on loopback ports with an
// explicit proxy (otherwise, or with --loopback). Thin: see runtime/local/up.ts.
import type { Command } from 'commander';
import { ConfigError, WeftError } from '../lib/errors.js';
import { parseDuration } from '../lib/duration.js';
import { DEFAULT_RETENTION } from '../runtime/local/prometheus.js';
import { up } from '../runtime/local/up.js';
import { DEFAULT_WEFT_DIR } from '../runtime/local/run-state.js';
import { formatStatus, workloadStatus } from '../runtime/local/status.js';

/** Errors found before anything was started. */
const NOTHING_STARTED = new Set(['WEFT_ERR_INVALID_MESH_FILE', 'WEFT_ERR_ALREADY_UP', 'WEFT_ERR_PORT_CONFLICT', 'WEFT_ERR_PROMETHEUS_MISSING', 'WEFT_ERR_NETNS_UNAVAILABLE', 'WEFT_ERR_CONFIG']);

interface Flags {
  file: string;
  stateDir: string;
  loopback?: boolean;
  netns?: boolean;
  network: string;
  timeout: string;
  prometheus: boolean;
  scrapeInterval: string;
  prometheusRetention: string;
}

export function register(program: Command): void {
  program
    .command('up')
    .description('run a mesh on this machine from a mesh.yaml (see docs/local-runtime.md)')
    .requiredOption('-f, --file <mesh.yaml>', 'the mesh file')
    .option('--state-dir <dir>', 'weft state directory', DEFAULT_WEFT_DIR)
    .option('--loopback', 'force loopback mode (explicit proxy, no namespaces)')
    .option('--netns', 'require namespace mode (fail instead of falling back)')
    .option('--network <n>', 'network index: bridge weft<n>, pods 10.77.<n>.0/24', '0')
    .option('--timeout <ms>', 'how long to wait for the proxies to be ready', '30000')
    .option('--no-prometheus', 'do not run Prometheus (weft viz stat then scrapes the proxies directly)')
    .option('--scrape-interval <duration>', "Prometheus' scrape interval", '5s')
    .option('--prometheus-retention <duration>', "how long Prometheus keeps data (its --storage.tsdb.retention.time)", DEFAULT_RETENTION)
    .action(async (flags: Flags) => {
      const scrapeMs = parseDuration(flags.scrapeInterval, '--scrape-interval');
      if (scrapeMs < 1000 || scrapeMs % 1000 !== 0) throw new ConfigError(`--scrape-interval: ${flags.scrapeInterval}: use whole seconds, at least 1s`);
      if (!/^\d+[smhdwy]$/.test(flags.prometheusRetention)) throw new ConfigError(`--prometheus-retention: invalid duration "${flags.prometheusRetention}" (e.g. 6h, 7d)`);
      let r;
      try {
        r = await up({
          prometheus: flags.prometheus,
          scrapeIntervalSeconds: scrapeMs / 1000,
          retention: flags.prometheusRetention,
          meshFile: flags.file,
          stateDir: flags.stateDir,
          mode: flags.loopback ? 'loopback' : flags.netns ? 'netns' : 'auto',
          networkIndex: Number(flags.network),
          readyTimeoutMs: Number(flags.timeout),
          progress: (l) => process.stdout.write(`${l}\n`),
        });
      } catch (err) {
        // What started stays up for inspection (ps, logs); a bad file started nothing.
        if (err instanceof WeftError && !NOTHING_STARTED.has(err.code) && err.code !== 'WEFT_ERR_SHUTTING_DOWN') {
          process.stderr.write(`weft up failed; what it started is still there: weft ps / weft logs <workload> [--proxy], then weft down --state-dir ${flags.stateDir}\n`);
        }
        throw err;
      }
      process.stdout.write(formatStatus(await workloadStatus(r.state)));
      if (r.state.prometheus) process.stdout.write(`prometheus: ${r.state.prometheus.url}   metrics API: ${r.state.control.metricsApiAddr ?? '-'}\n`);
    });
}
