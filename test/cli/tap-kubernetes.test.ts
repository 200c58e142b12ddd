// The tap commands' Kubernetes paths, where they fail: a kubeconfig that cannot be read, an API
// server that does not answer, and `weft tap --store kubernetes` without its config. Each says
// what is wrong and exits non-zero. (The working path runs on the one-node cluster:
// test/e2e/k8s-node.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadPort } from '../helpers/servers.js';
import { runWeft } from '../helpers/weft-process.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';

test('viz tap/top --kubernetes: an unreadable kubeconfig and an unreachable API server are named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-tap-k8s-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const cmd of ['tap', 'top']) {
    const missing = await runWeft(['viz', cmd, 'deploy/web', '--kubernetes', '--kubeconfig', join(dir, 'none')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot load kubeconfig .*none.*WEFT_ERR_KUBECONFIG/);
  }
  const port = (await deadPort()).port;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, `https://127.0.0.1:${port}`, { insecure: true });
  const down = await runWeft(['viz', 'tap', 'deploy/web', '--kubernetes', '--kubeconfig', kubeconfig]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /the tap API at svc\/weft-tap in weft, through the API server does not answer \(ECONNREFUSED\).*WEFT_ERR_TAP_API_UNAVAILABLE/);
});

test('weft tap --store kubernetes needs its config and token, and refuses an unknown store', async () => {
  const r = await runWeft(['tap', '--store', 'kubernetes']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /needs --config \(the injector config\) and --token-file/);
  const bad = await runWeft(['tap', '--store', 'etcd']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--store etcd: expected local or kubernetes/);
});
