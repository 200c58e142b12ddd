// `weft destination` and `weft apply`/`weft delete` as real processes: apply takes effect live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { StreamReader, destinationClient } from '../control/destination/grpc-helpers.js';
import type { Update__Output } from '../../src/api/gen/io/linkerd/proxy/destination/Update.js';
import { WEB } from '../control/destination/fixtures.js';

const WEFT = resolve('bin/weft.js');
const run = promisify(execFile);

test('weft_apply_takes_effect_live_in_a_running_weft_destination', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-cli-dst-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const stateDir = join(dir, 'state');
  const proc = spawn(process.execPath, [WEFT, 'destination', '--state-dir', stateDir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { proc.kill('SIGTERM'); });
  const port = await new Promise<number>((res, rej) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on port (\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    proc.once('exit', (code) => rej(new Error(`weft destination exited ${code}`)));
  });
  const client = destinationClient(port);
  t.after(() => client.close());
  const call = client.Get({ path: 'web.shop.svc.cluster.local:80' });
  t.after(() => call.cancel());
  const s = new StreamReader<Update__Output>(call);
  assert.deepEqual((await s.next()).noEndpoints, { exists: false });

  const file = join(dir, 'web.yaml');
  await writeFile(file, WEB);
  const applied = await run(process.execPath, [WEFT, 'apply', '-f', file, '--state-dir', stateDir]);
  assert.match(applied.stdout, /service\/web -n shop created/);
  const add = await s.next(5000);
  assert.equal(add.update, 'add');
  assert.equal(add.add?.addrs.length, 2);

  const deleted = await run(process.execPath, [WEFT, 'delete', '-f', file, '--state-dir', stateDir]);
  assert.match(deleted.stdout, /endpointslice\/web-a -n shop deleted/);
  const gone = await s.next(5000);
  assert.ok(gone.update === 'remove' || gone.update === 'noEndpoints', gone.update);

  await writeFile(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 0}]}\n');
  await assert.rejects(run(process.execPath, [WEFT, 'apply', '-f', join(dir, 'bad.yaml'), '--state-dir', stateDir]),
    (e: { stderr: string }) => /bad\.yaml: document 0 \(Service default\/x\): spec\.ports\[0\]\.port/.test(e.stderr));
});
