// Runs a real Prometheus (Debian's `prometheus`) scraping given targets, for tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { renderRules } from '../../src/control/metrics/recording-rules.js';
import type { ProxyTarget } from '../../src/runtime/local/prometheus-config.js';
import { renderPrometheusConfig, renderTargets } from '../../src/runtime/local/prometheus-config.js';

export interface Prometheus {
  readonly url: string;
  query(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

export async function startPrometheus(targets: string[], scrapeInterval = '1s'): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-prom-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: ${scrapeInterval}\n  evaluation_interval: ${scrapeInterval}\nscrape_configs:\n  - job_name: weft-proxy\n    metrics_path: /metrics\n    static_configs:\n      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]\n`,
  );
  return run(dir, port);
}

async function run(dir: string, port: number): Promise<Prometheus> {
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`prometheus exited: ${log}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`prometheus not ready: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async query(q) {
      const r = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
        status: string;
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
        error?: string;
      };
      if (r.status !== 'success') throw new Error(`query ${q}: ${r.error}`);
      return r.data.result;
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A real Prometheus with the configuration `weft up` writes (prometheus-config.ts and the metrics
 * API's recording rules), scraping the given proxies as pods of Deployments.
 */
export async function startWeftPrometheus(targets: readonly ProxyTarget[], scrapeIntervalSeconds = 1): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-prom-'));
  const port = await freePort();
  const targetsFile = join(dir, 'proxies.json');
  const rulesFile = join(dir, 'rules.yml');
  writeFileSync(targetsFile, renderTargets(targets));
  writeFileSync(rulesFile, renderRules(scrapeIntervalSeconds));
  writeFileSync(join(dir, 'prometheus.yml'), renderPrometheusConfig({ scrapeIntervalSeconds, targetsFile, rulesFile, selfAddr: `127.0.0.1:${port}` }));
  return run(dir, port);
}
