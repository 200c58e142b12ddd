// `weft viz install`, `weft metrics-api` and `viz … --kubernetes` where they fail: bad options,
// an unreadable kubeconfig, an API server that does not answer. Each says what is wrong and exits
// non-zero. (The working paths: test/integration/k8s-viz.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { deadPort } from '../helpers/servers.js';
import { runWeft } from '../helpers/weft-process.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';

test('weft viz install prints the manifests; bad options are refused with what is wrong', async () => {
  const ok = await runWeft(['viz', 'install', '--scrape-interval', '1m', '--no-dashboard']);
  assert.equal(ok.code, 0, ok.stderr);
  const docs = parseAllDocuments(ok.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
  assert.deepEqual(docs.filter((d) => d.kind === 'Deployment').map((d) => d.metadata.name), ['weft-prometheus', 'weft-metrics-api']);
  assert.doesNotMatch(ok.stdout, /--listen-web/);
  assert.match(ok.stdout, /scrape_interval: 60s/);
  for (const [args, message] of [
    [['--prometheus-image', 'prom/prometheus'], /prometheus image: "prom\/prometheus" must name a tag or digest/],
    [['--scrape-interval', '5 s'], /--scrape-interval 5 s: expected whole seconds or minutes/],
    [['--scrape-interval', '0s'], /scrape interval: 0 s/],
    [['--prometheus-retention', 'forever'], /prometheus retention: "forever"/],
    [['--image-pull-policy', 'Sometimes'], /image pull policy: "Sometimes"/],
  ] as const) {
    const r = await runWeft(['viz', 'install', ...args]);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '', 'nothing half-printed');
  }
});

test('weft metrics-api refuses a bad Prometheus URL and an unknown store', async () => {
  const url = await runWeft(['metrics-api', '--prometheus-url', 'prometheus:9090']);
  assert.equal(url.code, 1);
  assert.match(url.stderr, /--prometheus-url prometheus:9090: expected http\(s\):\/\/host:port/);
  const store = await runWeft(['metrics-api', '--prometheus-url', 'http://127.0.0.1:9', '--store', 'etcd']);
  assert.equal(store.code, 1);
  assert.match(store.stderr, /--store etcd: expected local or kubernetes/);
  const none = await runWeft(['metrics-api']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /--prometheus-url/);
});

test('viz stat/edges/routes/authz --kubernetes: an unreadable kubeconfig and an unreachable API server are named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-viz-k8s-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const args of [['stat', 'deploy'], ['edges'], ['routes', 'svc/web'], ['authz', 'deploy/web']]) {
    const r = await runWeft(['viz', ...args, '--kubernetes', '--kubeconfig', join(dir, 'none')]);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, /cannot load kubeconfig .*none.*WEFT_ERR_KUBECONFIG/);
  }
  const port = (await deadPort()).port;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, `https://127.0.0.1:${port}`, { insecure: true });
  const down = await runWeft(['viz', 'edges', '--kubernetes', '--kubeconfig', kubeconfig]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, new RegExp(`cannot reach the Kubernetes API at https://127.0.0.1:${port}.*WEFT_ERR_KUBE_UNREACHABLE`));
  assert.doesNotMatch(down.stderr, /at .*\.js:\d+/, 'an error, not a stack');
});
