import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, listeningPorts, startProcess, startTimeOf, stopProcess, waitListening } from '../../../src/runtime/local/supervisor.js';

test('a detached process logs to its file, is known by pid + start time, and stops with its group', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-supervisor-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'out.log');
  // The child starts a grandchild in its group: stopping the group stops both.
  const js = "const { spawn } = require('child_process'); const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });" +
    "console.log('child ' + c.pid); require('net').createServer().listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); }); setInterval(() => {}, 1e9);";
  const pid = await startProcess({ argv: [process.execPath, '-e', js], env: { PATH: process.env['PATH'] ?? '' }, cwd: dir, log });
  t.after(() => stopProcess(pid, 100));
  const start = startTimeOf(pid);
  assert.ok(start && isAlive(pid, start));
  assert.equal(isAlive(pid, String(Number(start) + 1)), false, 'a different start time is another process');
  let text = '';
  for (let i = 0; i < 100 && !/port \d+/.test(text); i++) {
    await new Promise((r) => setTimeout(r, 50));
    text = await readFile(log, 'utf8');
  }
  const port = Number(/port (\d+)/.exec(text)?.[1]);
  const child = Number(/child (\d+)/.exec(text)?.[1]);
  await waitListening(pid, [port], { timeoutMs: 5000, what: 'test' });
  assert.ok(listeningPorts(pid).has(port));
  // A recorded pid whose start time no longer matches is left alone.
  await stopProcess(pid, 100, String(Number(start) + 1));
  assert.ok(isAlive(pid));
  await stopProcess(pid, 2000, start);
  assert.equal(isAlive(pid), false);
  for (let i = 0; i < 40 && isAlive(child); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(isAlive(child), false, 'the grandchild went with the group');
});
