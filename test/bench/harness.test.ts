// The benchmark harness's pure parts (tool-output parsers, percentiles, tables, generated peer
// configs) against captured real outputs and the real nginx/HAProxy config checkers, plus a short
// real run of the constant-rate generator.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseWrk, parseWrkDuration } from '../../bench/parse-wrk.js';
import { median, medianThroughput } from '../../bench/medians.js';
import { parseH2loadLog, parseH2loadSummary } from '../../bench/parse-h2load.js';
import { percentile } from '../../bench/stats.js';
import { formatRateTable, formatThroughputTable } from '../../bench/table.js';
import { haproxyConf, nginxBackendConf, nginxProxyConf, startNginxBackend } from '../../bench/peers.js';
import { stopProcess } from '../../bench/procs.js';
import { GRPC_PATH } from '../../bench/grpc.js';
import { probe } from '../../bench/load.js';
import * as grpc from '@grpc/grpc-js';
import { parseOptions } from '../../bench/options.js';
import { runConstantRate } from '../../bench/constant-rate.js';
import { machineBusyTicks, machineStealTicks, otherCores, processTicks, stolenCores } from '../../bench/results.js';
import { H2LOAD_404, H2LOAD_LOG_404, H2LOAD_OK, WRK_404, WRK_OK, WRK_SOCKET_ERRORS } from './samples.js';

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

describe('wrk output', () => {
  it('parses requests/s and the 50%/99% latency of a --latency report', () => {
    const r = parseWrk(WRK_OK);
    assert.equal(r.requestsPerSec, 89879.16);
    assert.equal(r.requests, 270028);
    assert.ok(close(r.p50Ms, 0.639));
    assert.ok(close(r.p99Ms, 3.08));
    assert.equal(r.errors, 0);
  });

  it('counts non-2xx responses and socket errors as errors', () => {
    assert.equal(parseWrk(WRK_404).errors, 72261);
    const s = parseWrk(WRK_SOCKET_ERRORS);
    assert.equal(s.errors, 15916);
    assert.equal(s.requestsPerSec, 0);
  });

  it('converts wrk durations to milliseconds', () => {
    assert.ok(close(parseWrkDuration('46.00us'), 0.046));
    assert.equal(parseWrkDuration('1.08ms'), 1.08);
    assert.equal(parseWrkDuration('2.00s'), 2000);
    assert.throws(() => parseWrkDuration('1.0xs'), { code: 'WEFT_ERR_BENCH_TOOL' });
  });

  it('rejects output without the latency distribution', () => {
    const noLatency = WRK_OK.replace(/ {2}Latency Distribution[\s\S]*?99%[^\n]*\n/, '');
    assert.throws(() => parseWrk(noLatency), { code: 'WEFT_ERR_BENCH_TOOL' });
    assert.throws(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused'), { code: 'WEFT_ERR_BENCH_TOOL' });
  });
});

describe('h2load output', () => {
  it('parses req/s of the measured period and the failure count', () => {
    const ok = parseH2loadSummary(H2LOAD_OK);
    assert.equal(ok.requestsPerSec, 78104);
    assert.equal(ok.done, 234312);
    assert.equal(ok.succeeded, 234312);
    assert.equal(ok.errors, 0);
    assert.equal(parseH2loadSummary(H2LOAD_404).errors, 20);
    assert.throws(() => parseH2loadSummary('connect: Connection refused'), { code: 'WEFT_ERR_BENCH_TOOL' });
  });

  it('takes percentiles from the per-request log and sets non-2xx lines aside', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `1795443523734633\t200\t${(i + 1) * 1000}`);
    lines.push('1795443523734634\t-1\t5', '1795443523734635\t503\t7');
    const log = parseH2loadLog(lines.join('\n') + '\n');
    assert.equal(log.count, 100);
    assert.equal(log.p50Ms, 50);
    assert.equal(log.p99Ms, 99);
    assert.equal(log.maxMs, 100);
    assert.equal(log.non2xx, 2);
    assert.equal(parseH2loadLog(H2LOAD_LOG_404).non2xx, 3);
    assert.throws(() => parseH2loadLog('garbage line\n'), { code: 'WEFT_ERR_BENCH_TOOL' });
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const s = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(percentile(s, 50), 5);
    assert.equal(percentile(s, 99), 10);
    assert.equal(percentile(s, 0), 1);
    assert.ok(Number.isNaN(percentile(new Float64Array(0), 50)));
  });
});

describe('tables', () => {
  it('gives throughput ratios to direct and to nginx, and notes skipped targets', () => {
    const t = formatThroughputTable('http1', [
      { target: 'direct', requestsPerSec: 40000, p50Ms: 0.5, p99Ms: 2 },
      { target: 'weft-hop', requestsPerSec: 30000, p50Ms: 0.8, p99Ms: 3, rssIdleMb: 44.04, rssLoadMb: 60.5, cpuUsPerRequest: 40 },
      { target: 'nginx', requestsPerSec: 20000, p50Ms: 1, p99Ms: 4, rssIdleMb: 14, cpuUsPerRequest: 10 },
      { target: 'haproxy', note: 'not run: haproxy not installed' },
    ]);
    assert.match(t, /^#### http1\n\n\| target \| req\/s \| p50 ms \| p99 ms \| × direct \| × nginx \| CPU µs\/req \| nginx CPU ÷ this \| RSS idle \/ load MB \|/);
    assert.match(t, /\| weft-hop \| 30000 \| 0\.800 \| 3\.000 \| 0\.75× \| 1\.50× \| 40\.0 \| 0\.25× \| 44\.0 \/ 60\.5 \|/);
    assert.match(t, /\| nginx \| 20000 \| 1\.000 \| 4\.000 \| 0\.50× \| 1\.00× \| 10\.0 \| 1\.00× \| 14\.0 \/ – \|/);
    assert.match(t, /\| haproxy \| – \| – \| – \| – \| – \| – \| – \| – \|/);
    assert.match(t, /- haproxy: not run: haproxy not installed/);
  });

  it('gives constant-rate latency added over direct', () => {
    const t = formatRateTable('rate', [
      { target: 'direct', achievedRps: 1000, p50Ms: 0.2, p99Ms: 1.5 },
      { target: 'weft-hop', achievedRps: 1000, p50Ms: 0.35, p99Ms: 1.25, errors: 3 },
    ]);
    assert.match(t, /\| weft-hop \| 1000 \| 0\.350 \| 1\.250 \| \+0\.150 \| −0\.250 \|/);
    assert.match(t, /- weft-hop: 3 failed requests/);
  });
});

describe('quiet-machine measure', () => {
  it('reads busy ticks from /proc/stat and a process\'s own plus children\'s ticks from /proc/<pid>/stat', () => {
    // The first line as captured on the project's machine; busy = user nice system irq softirq steal.
    assert.equal(machineBusyTicks('cpu  299056 0 60776 453532 748 0 15652 112 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n'), 299056 + 60776 + 15652 + 112);
    assert.equal(machineStealTicks('cpu  299056 0 60776 453532 748 0 15652 112 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n'), 112);
    // A made-up process whose command name holds a space and a ")", as comm may.
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 1200 300 0 0 150 40 700 90 20 0 11 0 5000 1000 100';
    assert.equal(processTicks(stat), 150 + 40 + 700 + 90);
  });

  it('subtracts the harness\'s own CPU from the machine\'s', () => {
    const before = { machineBusy: 1000, steal: 100, self: 500, atMs: 0 };
    const after = { machineBusy: 3000, steal: 350, self: 2000, atMs: 10_000 };
    assert.equal(otherCores(before, after), 0.5);
    assert.equal(otherCores(before, { ...after, self: 2600 }), 0);
    // Steal is reported on its own as well: 250 ticks in 10 s = a quarter of a core.
    assert.equal(stolenCores(before, after), 0.25);
  });
});

describe('options', () => {
  const all = ['direct', 'weft-hop', 'nginx'];
  const rts = ['node20', 'node24', 'bun'];
  it('defaults to the issue\'s load and all targets, and --quick shortens runs', () => {
    const o = parseOptions([], all, rts);
    assert.deepEqual([o.durationS, o.connections, o.threads, o.rate, o.write], [10, 50, 2, 1000, true]);
    assert.deepEqual(o.targets, all);
    assert.deepEqual(o.protocols, ['http1', 'h2c', 'grpc']);
    const q = parseOptions(['--quick', '--no-write', '--targets', 'direct,nginx', '--rate', '0'], all, rts);
    assert.deepEqual([q.durationS, q.warmupS, q.write, q.rate], [2, 1, false, 0]);
    assert.ok(Object.isFrozen(q));
    assert.deepEqual([o.runtimes, o.repeat, o.startup], [['node24'], 1, true]);
    const r = parseOptions(['--runtime', 'node20,bun', '--repeat', '3', '--no-startup'], all, rts);
    assert.deepEqual([r.runtimes, r.repeat, r.startup], [['node20', 'bun'], 3, false]);
  });

  it('medians: per field over the runs that did not fail; a row whose runs all failed keeps the note', () => {
    const m = medianThroughput([
      { target: 'weft-hop', requestsPerSec: 100, p99Ms: 3 },
      { target: 'weft-hop', requestsPerSec: 300, p99Ms: 1 },
      { target: 'weft-hop', note: 'failed: x' },
      { target: 'weft-hop', requestsPerSec: 200, p99Ms: 2 },
    ]);
    assert.deepEqual(m, { target: 'weft-hop', requestsPerSec: 200, p99Ms: 2, note: '1 of 4 runs failed: failed: x' });
    assert.deepEqual(medianThroughput([{ target: 'a', note: 'not run: y' }]), { target: 'a', note: 'not run: y' });
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), undefined);
  });

  it('rejects unknown targets and protocols', () => {
    assert.throws(() => parseOptions(['--targets', 'direct,envoy'], all, rts), { code: 'WEFT_ERR_BENCH_USAGE' });
    assert.throws(() => parseOptions(['--protocols', 'h3'], all, rts), { code: 'WEFT_ERR_BENCH_USAGE' });
    assert.throws(() => parseOptions(['--duration', 'x'], all, rts), { code: 'WEFT_ERR_BENCH_USAGE' });
    assert.throws(() => parseOptions(['--runtime', 'deno'], all, rts), /--runtime: unknown "deno"/);
    assert.throws(() => parseOptions(['--repeat', '0'], all, rts), { code: 'WEFT_ERR_BENCH_USAGE' });
  });
});

describe('peer configs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const up = { host: '127.0.0.1', port: 8080 };
  const has = (tool: string): boolean => !spawnSync(tool, ['-v'], { stdio: 'ignore' }).error;

  it('are accepted by nginx -t', { skip: !has('nginx') && 'nginx not installed' }, () => {
    const confs = [nginxBackendConf(dir, { http1: 18001, h2c: 18002 }), nginxProxyConf(dir, 18003, 'http1', up), nginxProxyConf(dir, 18004, 'h2c', up)];
    assert.match(confs[2] as string, /listen 127\.0\.0\.1:18004 http2;.*grpc_pass grpc:\/\/up;/);
    assert.match(confs[0] as string, /location = \/weft\.bench\.Bench\/Ping/);
    for (const [i, conf] of confs.entries()) {
      const path = join(dir, `nginx-${i}.conf`);
      writeFileSync(path, conf);
      const r = spawnSync('nginx', ['-t', '-q', '-p', dir, '-c', path, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('are accepted by haproxy -c', { skip: !has('haproxy') && 'haproxy not installed' }, () => {
    const h2 = haproxyConf(18005, 'h2c', up);
    assert.match(h2, /nbthread 1/);
    assert.match(h2, /server s1 127\.0\.0\.1:8080 proto h2/);
    for (const [i, conf] of [haproxyConf(18005, 'http1', up), h2].entries()) {
      const path = join(dir, `haproxy-${i}.cfg`);
      writeFileSync(path, conf);
      const r = spawnSync('haproxy', ['-c', '-q', '-f', path], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });
});

describe('constant-rate generator', () => {
  it('sends every scheduled request and measures each one', async (t) => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => server.close());
    const port = (server.address() as AddressInfo).port;
    const r = await runConstantRate({ host: '127.0.0.1', port, protocol: 'http1', rate: 200, durationS: 0.5, warmupS: 0.1, connections: 2, timeoutMs: 2000 });
    assert.equal(r.scheduled, 120);
    assert.equal(r.completed, 120);
    assert.equal(r.errors, 0);
    assert.equal(r.count, 100);
    assert.ok(r.p50Ms > 0 && r.p50Ms <= r.p99Ms, JSON.stringify(r));
  });

  it('counts refused connections as errors, not as latency', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const r = await runConstantRate({ host: '127.0.0.1', port, protocol: 'h2c', rate: 100, durationS: 0.2, warmupS: 0, connections: 1, timeoutMs: 500 });
    assert.equal(r.errors, r.scheduled);
    assert.equal(r.count, 0);
  });
});

describe('backend', () => {
  const has = !spawnSync('nginx', ['-v'], { stdio: 'ignore' }).error;

  it('answers a real grpc-js unary call, and the harness probes and loads its gRPC route', { skip: !has && 'nginx not installed' }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-bench-backend-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { proc, ports } = await startNginxBackend(dir);
    t.after(() => stopProcess(proc));

    const client = new grpc.Client(`127.0.0.1:${ports.h2c}`, grpc.credentials.createInsecure());
    t.after(() => client.close());
    const reply = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(GRPC_PATH, (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (err, r) => (err ? reject(err) : resolve(r as Buffer))),
    );
    assert.equal(reply.length, 0);

    const a = { host: '127.0.0.1', port: ports.h2c };
    await probe(a, 'grpc');
    await probe(a, 'h2c');
    await probe({ host: '127.0.0.1', port: ports.http1 }, 'http1');
    await assert.rejects(probe({ host: '127.0.0.1', port: ports.h2c }, 'http1', 300), { code: 'WEFT_ERR_BENCH_TARGET' });
    const r = await runConstantRate({ ...a, protocol: 'grpc', rate: 200, durationS: 0.3, warmupS: 0, connections: 2, timeoutMs: 2000 });
    assert.equal(r.errors, 0);
    assert.equal(r.count, 60);
  });
});
