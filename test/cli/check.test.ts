// `weft check` without a usable cluster: each way of failing to reach the API is one failed
// check with a hint, the categories after it are skipped, and the exit code is 1. (Checks of a
// real install, good and broken: test/e2e/k8s-install.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWeft } from '../helpers/weft-process.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';

async function kubeconfig(t: { after(fn: () => Promise<void>): void }, server: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-check-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return writeKubeconfig(join(dir, 'kubeconfig'), server);
}

test('an unreachable API server fails "can query the Kubernetes API" with a hint; the rest is skipped', async (t) => {
  const r = await runWeft(['check', '--kubeconfig', await kubeconfig(t, 'https://127.0.0.1:1')]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /\u2714 can initialize the client\n\u00d7 can query the Kubernetes API\n\s+cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1.*\n\s+hint: check that the API server in your kubeconfig is up and reachable from here/);
  assert.match(r.stdout, /- is running the minimum Kubernetes API version\n\s+skipped: "can query the Kubernetes API" failed/);
  assert.match(r.stdout, /Status check results are \u00d7/);
});

test('a missing kubeconfig fails "can initialize the client"; -o json says the same', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-check-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await runWeft(['check', '-o', 'json', '--kubeconfig', join(dir, 'none')]);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as { success: boolean; categories: { categoryName: string; checks: { description: string; result: string; error?: string; hint?: string }[] }[] };
  assert.equal(report.success, false);
  const first = report.categories[0]?.checks[0];
  assert.equal(first?.result, 'error');
  assert.match(first?.error ?? '', /cannot load kubeconfig/);
  assert.match(first?.hint ?? '', /--kubeconfig or KUBECONFIG/);
  assert.ok(report.categories.slice(1).every((c) => c.checks.every((x) => x.result === 'skipped')));
});

test('weft check refuses unknown flags and output formats', async () => {
  const a = await runWeft(['check', '--bogus']);
  assert.equal(a.code, 1);
  assert.match(a.stderr, /unknown option '--bogus'/);
  const b = await runWeft(['check', '-o', 'xml']);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /argument 'xml' is invalid\. Allowed choices are table, json/);
});
