// The bench's ceiling targets (bench/ceilings.ts) carry every protocol to a real nginx backend —
// gRPC's trailers included — on the proxy's runtime, and leave no process behind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
    it(`${target.name} carries HTTP/1, h2c and gRPC to the backend and stops cleanly`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'weft-bench-ceiling-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const { proc: backend, ports } = await startNginxBackend(dir);
      t.after(() => stopProcess(backend));
      const rt = runtime('node24', () => {});
      for (const protocol of ['http1', 'h2c', 'grpc'] as const) {
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
});
