// scripts/build-image.mjs: bad arguments are refused with a clear message and nothing written;
// an image it writes is a well-formed docker-archive (manifest -> config -> the layer's digest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from '../helpers/exec.js';

const SCRIPT = resolve(new URL('../../../scripts/build-image.mjs', import.meta.url).pathname);

function build(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile('node', [SCRIPT, ...args], (err, stdout, stderr) => res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

test('build-image refuses bad arguments with a clear message and writes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-build-image-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'x.tar');
  const cases: [string[], RegExp][] = [
    [['nope', out], /usage: build-image\.mjs weft\|demo\|pause\|binary/],
    [['weft'], /usage/],
    [['weft', out, '--tag', 'no tag here'], /--tag "no tag here" is not NAME:TAG/],
    [['pause', out, '--tag', 'missing-colon'], /is not NAME:TAG/],
    [['binary', out, '--tag', 'a:1', '--binary', join(dir, 'absent')], /--binary ".*absent" is not a file/],
    [['binary', out, '--tag', 'a:1'], /--binary "" is not a file/],
  ];
  for (const [args, why] of cases) {
    const r = await build(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
    assert.equal(existsSync(out), false, `${args.join(' ')} wrote nothing`);
  }
});

test('build-image writes a docker-archive whose config names its layer by digest', async (t) => {
  if ((await run('cc', ['--version'])).code !== 0) return t.skip('no C compiler for the pause image');
  const dir = mkdtempSync(join(tmpdir(), 'weft-build-image-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'pause.tar');
  const r = await build(['pause', out, '--tag', 'weft.test/pause:7']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await run('tar', ['-xf', out, '-C', dir])).code, 0);
  const [manifest] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Config: string; RepoTags: string[]; Layers: string[] }[];
  assert.deepEqual(manifest?.RepoTags, ['weft.test/pause:7']);
  const config = JSON.parse(readFileSync(join(dir, manifest?.Config ?? ''), 'utf8')) as { rootfs: { diff_ids: string[] }; config: { Entrypoint: string[] } };
  const layer = readFileSync(join(dir, manifest?.Layers[0] ?? ''));
  assert.deepEqual(config.rootfs.diff_ids, [`sha256:${createHash('sha256').update(layer).digest('hex')}`]);
  assert.deepEqual(config.config.Entrypoint, ['/bin/pause']);
  const files = (await run('tar', ['-tf', join(dir, 'layer.tar')])).stdout;
  assert.match(files, /^\.\/bin\/pause$/m);
  assert.match(files, /^\.\/tmp\/$/m);
});
