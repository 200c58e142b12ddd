// The run's Prometheus (Debian's `prometheus`): its files under <state-dir>/prometheus (config,
// recording rules, the proxies' targets, the TSDB with its retention) and its address (where
// the control plane listens; 9090 on an address of the run's own). The supervisor runs and restarts it like
// any other process; the data directory outlives restarts, so history does too.
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { WeftError } from '../../lib/errors.js';
import { freePorts, portsFree } from './loopback.js';
import type { ProxyTarget } from './prometheus-config.js';
import { renderRules } from '../../control/metrics/recording-rules.js';
import { renderPrometheusConfig, renderTargets } from './prometheus-config.js';

export class PrometheusMissingError extends WeftError {
  constructor() {
    super('WEFT_ERR_PROMETHEUS_MISSING', 'prometheus is not installed (Debian: apt-get install prometheus); or run without it: weft up --no-prometheus');
  }
}

export const DEFAULT_PROMETHEUS_PORT = 9090;
export const DEFAULT_RETENTION = '24h';
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 5;

/** The prometheus binary on PATH (or Debian's /usr/bin/prometheus). */
export function findPrometheus(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const d of dirs) if (d && existsSync(join(d, 'prometheus'))) return join(d, 'prometheus');
  return undefined;
}

export interface PrometheusOptions {
  /** <state-dir>/prometheus */
  readonly dir: string;
  /** Where it listens. */
  readonly host: string;
  /** 9090 when free (an address of our own); else a port the OS picks. */
  readonly wellKnownPort: boolean;
  readonly scrapeIntervalSeconds: number;
  /** e.g. "24h", "7d" (Prometheus' --storage.tsdb.retention.time). */
  readonly retention: string;
  readonly controlAddr: string | undefined;
}

export interface PrometheusPlan {
  readonly url: string;
  readonly argv: readonly string[];
  readonly dataDir: string;
  readonly targetsFile: string;
}

/** Writes the config, rules and an empty target list; picks the address; returns the command. */
export async function preparePrometheus(o: PrometheusOptions): Promise<PrometheusPlan> {
  const bin = findPrometheus();
  if (!bin) throw new PrometheusMissingError();
  const port = o.wellKnownPort && (await portsFree(o.host, [DEFAULT_PROMETHEUS_PORT])) ? DEFAULT_PROMETHEUS_PORT : (await freePorts(1, o.host))[0];
  const listen = `${o.host}:${port}`;
  const dataDir = join(o.dir, 'data');
  const configFile = join(o.dir, 'prometheus.yml');
  const rulesFile = join(o.dir, 'rules.yml');
  const targetsFile = join(o.dir, 'targets', 'proxies.json');
  await mkdir(join(o.dir, 'targets'), { recursive: true });
  await mkdir(dataDir, { recursive: true });
  await writeFile(rulesFile, renderRules(o.scrapeIntervalSeconds));
  await writeFile(configFile, renderPrometheusConfig({ scrapeIntervalSeconds: o.scrapeIntervalSeconds, targetsFile, rulesFile, controlAddr: o.controlAddr, selfAddr: listen }));
  await writeTargets(targetsFile, []);
  return {
    url: `http://${listen}`,
    dataDir,
    targetsFile,
    argv: [bin, `--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--storage.tsdb.retention.time=${o.retention}`,
      `--web.listen-address=${listen}`, '--web.enable-lifecycle', '--log.level=warn'],
  };
}

/** Replaces the targets file atomically (Prometheus re-reads it on change). */
export async function writeTargets(file: string, targets: readonly ProxyTarget[]): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, renderTargets(targets));
  await rename(tmp, file);
}
