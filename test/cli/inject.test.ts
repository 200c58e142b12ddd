// `weft inject` / `weft uninject` on manifests, as `linkerd inject` is used: every workload
// kind, lists, directories and stdin, golden output (test/cli/testdata), a round trip back to
// the original, and a clear error for each kind of bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { assertGolden } from '../helpers/golden.js';
import { fixtureDir, fixtureInjectorConfigYaml } from '../helpers/k8s-fixtures.js';
import { runWeft } from '../helpers/weft-process.js';
import { writeKubeconfig } from '../helpers/kubeconfig.js';

const workloads = join(fixtureDir, 'workloads.yaml');

async function tmp(t: { after(fn: () => Promise<void>): void }): Promise<{ dir: string; config: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-inject-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'config.yaml');
  await writeFile(config, fixtureInjectorConfigYaml());
  return { dir, config };
}

const docs = (yaml: string): unknown[] => parseAllDocuments(yaml).map((d) => d.toJS() as unknown).filter((d) => d !== null);

test('weft inject adds the proxy to every workload kind (golden), leaves the rest, and reports each', async (t) => {
  const { config } = await tmp(t);
  const r = await runWeft(['inject', '--config', config, workloads]);
  assert.equal(r.code, 0, r.stderr);
  assertGolden('test/cli/testdata/inject.golden.yaml', r.stdout);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'deployment "web" injected (native sidecar)',
    'statefulset "db" injected (native sidecar)',
    'daemonset "node-agent" skipped: pod uses the host network (hostNetwork: true): interception would capture the node\'s traffic',
    'job "report" injected (native sidecar)',
    'cronjob "nightly" injected (classic sidecar)',
    'pod "opted-out" skipped: pod annotated weft.io/inject: disabled',
    'replicaset "legacy" injected (native sidecar)',
  ]);
});

test('weft inject --proxy-mode classic (golden); injecting twice changes nothing', async (t) => {
  const { dir, config } = await tmp(t);
  const r = await runWeft(['inject', '--config', config, '--proxy-mode', 'classic', workloads]);
  assert.equal(r.code, 0, r.stderr);
  assertGolden('test/cli/testdata/inject-classic.golden.yaml', r.stdout);
  await writeFile(join(dir, 'once.yaml'), r.stdout);
  const again = await runWeft(['inject', '--config', config, join(dir, 'once.yaml')]);
  assert.deepEqual(docs(again.stdout), docs(r.stdout));
  assert.match(again.stderr, /deployment "web" skipped: already injected/);
});

test('weft uninject gives back the original workloads; stdin and directories work', async (t) => {
  const { dir, config } = await tmp(t);
  const injected = await runWeft(['inject', '--config', config, '-'], readFileSync(workloads, 'utf8'));
  assert.equal(injected.code, 0, injected.stderr);
  await mkdir(join(dir, 'manifests', 'nested'), { recursive: true });
  await writeFile(join(dir, 'manifests', 'nested', 'app.yaml'), injected.stdout);
  await writeFile(join(dir, 'manifests', 'notes.txt'), 'not a manifest');
  const back = await runWeft(['uninject', join(dir, 'manifests')]);
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual(docs(back.stdout), docs(readFileSync(workloads, 'utf8')));
  assert.match(back.stderr, /deployment "web" uninjected/);
});

test('weft inject refuses bad input with the file, document and problem named (exit 1)', async (t) => {
  const { dir, config } = await tmp(t);
  const write = async (name: string, text: string): Promise<string> => {
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };
  const cases: [string[], RegExp][] = [
    [[await write('broken.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x\n')], /broken\.yaml: document 0: invalid YAML.*WEFT_ERR_NOT_A_WORKLOAD/s],
    [[await write('nokind.yaml', '---\nkind: Pod\nmetadata: {name: a}\nspec: {}\n---\nfoo: bar\n')], /nokind\.yaml: document 0: not a Kubernetes object \(it needs apiVersion and kind\)/],
    [[await write('scalar.yaml', 'just text\n')], /scalar\.yaml: document 0: not a Kubernetes object/],
    [[await write('notemplate.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n')], /Deployment "d" without spec\.template/],
    [[await write('badann.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {config.weft.io/proxy-mode: sidecarless}}\nspec: {containers: [{name: a, image: b}]}\n')], /annotation config\.weft\.io\/proxy-mode: "sidecarless": expected native or classic \(WEFT_ERR_INJECT_ANNOTATION\)/],
    [[join(dir, 'missing.yaml')], /cannot read .*missing\.yaml: no such file or directory/],
  ];
  for (const [paths, expected] of cases) {
    const r = await runWeft(['inject', '--config', config, ...paths]);
    assert.equal(r.code, 1, `${paths.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, expected);
  }
  const flag = await runWeft(['inject', '--bogus', workloads]);
  assert.equal(flag.code, 1);
  assert.match(flag.stderr, /unknown option '--bogus'/);
  const mode = await runWeft(['inject', '--config', config, '--proxy-mode', 'ambient', workloads]);
  assert.equal(mode.code, 1);
  assert.match(mode.stderr, /argument 'ambient' is invalid\. Allowed choices are native, classic/);
  const badConfig = await runWeft(['inject', '--config', await write('cfg.yaml', 'image: x\n'), workloads]);
  assert.equal(badConfig.code, 1);
  assert.match(badConfig.stderr, /cfg\.yaml: trustAnchorsPem: expected a non-empty string/);
});

test('without --config, weft inject reads the cluster, and says so clearly when it cannot', async (t) => {
  const { dir } = await tmp(t);
  const kubeconfig = join(dir, 'kubeconfig');
  // A port nothing listens on.
  await writeKubeconfig(kubeconfig, 'https://127.0.0.1:1');
  const r = await runWeft(['inject', '--kubeconfig', kubeconfig, workloads]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /weft inject: cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1.*\(WEFT_ERR_KUBE_UNREACHABLE\)/);
  const none = await runWeft(['inject', '--kubeconfig', join(dir, 'nope'), workloads]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /cannot load kubeconfig .*nope.*\(WEFT_ERR_KUBECONFIG\)/);
});
