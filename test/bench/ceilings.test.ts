// The bench's ceiling targets (bench/ceilings.ts) carry every protocol to a real nginx backend —
// gRPC's trailers included — on the proxy's runtime, and leave no process behind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CEILING_TARGETS } from '../../bench/ceilings.js';
import { probe } from '../../bench/load.js';
import { startNginxBackend } from '../../bench/peers.js';
import { stopProcess } from '../../bench/procs.js';
import { runtime } from '../../bench/runtimes.js';
import { WEFT_ROOT } from '../../src/runtime/local/child-env.js';

const hasNginx = !spawnSync('nginx', ['-v'], { stdio: 'ignore' }).error;
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('bench ceiling targets', { skip: !hasNginx && 'nginx not installed' }, () => {
  for (const target of CEILING_TARGETS) {
    const protocols = target.protocols ?? (['http1', 'h2c', 'grpc'] as const);
    it(`${target.name} carries ${protocols.join(', ')} to the backend and stops cleanly`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'weft-bench-ceiling-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const { proc: backend, ports } = await startNginxBackend(dir);
      t.after(() => stopProcess(backend));
      const rt = runtime('node24', () => {});
      for (const protocol of protocols) {
        const workDir = join(dir, protocol);
        mkdirSync(workDir);
        const port = protocol === 'http1' ? ports.http1 : ports.h2c;
        const running = await target.start({ protocol, backend: { host: '127.0.0.1', port }, workDir, repoRoot: WEFT_ROOT, runtime: rt });
        try {
          await probe(running.address, protocol);
        } finally {
          await running.stop();
        }
        for (const pid of running.pids) assert.equal(alive(pid), false, `${target.name} ${protocol}: pid ${pid} gone`);
      }
    });
  }

  it('node-h1-min answers many requests on one kept-alive connection, each with the backend\'s body', async (t) => {
    const target = CEILING_TARGETS.find((x) => x.name === 'node-h1-min');
    assert.ok(target);
    const dir = mkdtempSync(join(tmpdir(), 'weft-bench-ceiling-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { proc: backend, ports } = await startNginxBackend(dir);
    t.after(() => stopProcess(backend));
    const running = await target.start({ protocol: 'http1', backend: { host: '127.0.0.1', port: ports.http1 }, workDir: dir, repoRoot: WEFT_ROOT, runtime: runtime('node24', () => {}) });
    t.after(() => running.stop());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const sockets = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      const { status, body, socket } = await new Promise<{ status: number; body: string; socket: unknown }>((resolve, reject) => {
        http.get({ ...running.address, path: `/${i}`, agent }, (res) => {
          let body = '';
          res.setEncoding('latin1');
          res.on('data', (c: string) => (body += c));
          res.once('end', () => resolve({ status: res.statusCode ?? 0, body, socket: res.socket }));
        }).once('error', reject);
      });
      assert.equal(status, 200, `request ${i}`);
      assert.equal(body, 'ok\n', `request ${i}`);
      sockets.add(socket);
    }
    assert.equal(sockets.size, 1, 'all 20 requests on one client connection');
  });
});
