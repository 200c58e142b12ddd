import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followFile } from '../../../src/runtime/local/follow.js';

test('logs -f prints the file, then what is appended, until aborted', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-follow-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'app.log');
  await writeFile(file, 'one\n');
  let out = '';
  const ac = new AbortController();
  const done = followFile(file, (s) => (out += s), ac.signal, 20);
  await new Promise((r) => setTimeout(r, 50));
  await appendFile(file, 'two\n');
  for (let i = 0; i < 50 && !out.includes('two'); i++) await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  await done;
  assert.equal(out, 'one\ntwo\n');
});
