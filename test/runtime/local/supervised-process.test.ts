// A supervised process is a real child: killed with SIGKILL it comes back (new pid, fresh
// options), its restarts and last exit are recorded, and stop() ends it for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExitRecord } from '../../../src/runtime/local/supervised-process.js';
import { SupervisedProcess } from '../../../src/runtime/local/supervised-process.js';
import { isAlive } from '../../../src/runtime/local/supervisor.js';
import { until } from '../../helpers/http-load.js';

test('killed with SIGKILL, a supervised process is restarted with fresh options and the exit recorded', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-supervised-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'out.log');
  let starts = 0;
  const exits: { exit: ExitRecord; restartInMs: number | undefined }[] = [];
  const p = new SupervisedProcess('sleeper', () => ({
    argv: [process.execPath, '-e', `console.log('start ${++starts}'); setInterval(() => {}, 1e9)`],
    env: { PATH: process.env['PATH'] ?? '' }, cwd: dir, log,
  }), { onExit: (exit, restartInMs) => exits.push({ exit, restartInMs }) }, { initialMs: 50, random: () => 0.5 });
  t.after(() => p.stop(500));
  const first = await p.start();
  assert.ok(isAlive(first));
  process.kill(first, 'SIGKILL');
  await until('restarted', () => p.pid !== first && p.running, 5000);
  assert.equal(p.restarts, 1);
  assert.equal(p.lastExit?.signal, 'SIGKILL');
  assert.equal(p.lastExit?.code, null);
  assert.deepEqual(exits.map((e) => [e.exit.signal, e.restartInMs]), [['SIGKILL', 50]]);
  await until('second start logged', async () => (await readFile(log, 'utf8')).includes('start 2'), 5000);

  // An exit with a code: recorded too, and the next delay is longer (a second crash in a row).
  process.kill(p.pid as number, 'SIGTERM');
  await until('restarted again', () => p.restarts === 2 && p.running, 5000);
  assert.deepEqual(exits.map((e) => e.restartInMs), [50, 100]);

  const last = p.pid as number;
  await p.stop(500);
  assert.equal(isAlive(last), false);
  assert.equal(p.running, false);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(p.restarts, 2, 'no restart after stop()');
  assert.equal(exits.at(-1)?.restartInMs, undefined);
});

test('a program that cannot start is a ProcessStartError', async () => {
  const p = new SupervisedProcess('missing', () => ({ argv: ['/nonexistent/weft-test-binary'], env: {}, cwd: tmpdir(), log: '/dev/null' }));
  await assert.rejects(p.start(), { code: 'WEFT_ERR_PROCESS_START' });
  await p.stop();
});
