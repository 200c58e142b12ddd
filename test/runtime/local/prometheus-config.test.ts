// The Prometheus configuration weft writes: checked by Prometheus' own promtool (config, rules),
// and its relabelling turns the target's __meta_weft_* labels into namespace/pod/deployment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderRules, VIZ_RULES } from '../../../src/control/metrics/recording-rules.js';
import { renderPrometheusConfig, renderTargets } from '../../../src/runtime/local/prometheus-config.js';

const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));

test('config, rules and targets: promtool accepts them; targets carry the pod identity labels', { skip: !promtool && 'promtool not installed' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-promcfg-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const targetsFile = join(dir, 'proxies.json');
  const rulesFile = join(dir, 'rules.yml');
  const config = renderPrometheusConfig({ scrapeIntervalSeconds: 5, targetsFile, rulesFile, controlAddr: '10.77.0.1:8085', selfAddr: '10.77.0.1:9090' });
  await writeFile(join(dir, 'prometheus.yml'), config);
  await writeFile(rulesFile, renderRules(5));
  await writeFile(targetsFile, renderTargets([{ adminAddr: '10.77.0.2:4191', namespace: 'demo', deployment: 'web', pod: 'web-0', serviceAccount: 'web' }]));
  const check = spawnSync(promtool as string, ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /SUCCESS: 5 rules found/);

  const c = parse(config) as { global: Record<string, string>; scrape_configs: { job_name: string; relabel_configs?: unknown[] }[] };
  assert.deepEqual(c.global, { scrape_interval: '5s', scrape_timeout: '5s', evaluation_interval: '5s' });
  assert.deepEqual(c.scrape_configs.map((s) => s.job_name), ['weft-proxy', 'weft-control', 'prometheus']);
  const [target] = JSON.parse(renderTargets([{ adminAddr: '10.77.0.2:4191', namespace: 'demo', deployment: 'web', pod: 'web-0', serviceAccount: 'web' }])) as { targets: string[]; labels: Record<string, string> }[];
  assert.deepEqual(target, {
    targets: ['10.77.0.2:4191'],
    labels: { __meta_weft_namespace: 'demo', __meta_weft_pod: 'web-0', __meta_weft_serviceaccount: 'web', __meta_weft_proxy_deployment: 'web' },
  });
  assert.deepEqual(Object.values(VIZ_RULES).sort(), [
    'pod:response_latency_ms_bucket:inbound', 'pod:response_latency_ms_bucket:outbound', 'pod:response_total:sum',
    'pod:route_response_latency_ms_bucket:sum', 'pod:route_response_total:sum',
  ]);
});
