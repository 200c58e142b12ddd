// `weft web` and `weft dashboard` from the command line: without a mesh they say what to do
// (exit 1, a stable code); with a metrics API given they serve on loopback and print the URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWeft, startWeft } from '../helpers/weft-process.js';

test('weft web / dashboard: no mesh is a clear error; bad flags name themselves', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-web-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const cmd of ['web', 'dashboard']) {
    const r = await runWeft([cmd, '--state-dir', dir]);
    assert.equal(r.code, 1, cmd);
    assert.match(r.stderr, /no mesh runs in .* \(no run\.json\): start one with `weft up` or `weft demo`, or give --metrics-api/);
    assert.match(r.stderr, /WEFT_ERR_CONFIG/);
  }
  const w = await runWeft(['web', '--state-dir', dir, '--metrics-api', '127.0.0.1:1', '-t', '1x']);
  assert.equal(w.code, 1);
  assert.match(w.stderr, /--window: invalid duration "1x"/);
});

test('weft web serves on loopback and prints its URL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-web-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const p = await startWeft(t, ['web', '--state-dir', dir, '--metrics-api', '127.0.0.1:1', '--listen', '127.0.0.1:0'], /dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  const url = /dashboard: (http:\/\/\S+)/.exec(p.output())?.[1] as string;
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /weft dashboard/);
});
