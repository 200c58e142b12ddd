// Soak: runs the demo mesh (`weft demo --loopback`, the vote-bot's steady traffic) for a given
// time and samples every proxy: RSS, V8 heap in use (from its /metrics), open fds, and the error rate of its responses (failures
// over all, from response_total, per sample window). At the end: first and last values and the
// least-squares slope per hour of RSS and fds — a leak shows as a slope that does not flatten.
// Not a CI test: run by hand.
//
//   node dist/bench/soak.js [--duration 30m] [--sample 10s] [--state-dir DIR] [--network N]
//
// On a shared machine: loopback mode (the default) runs the demo's apps on fixed host ports, so
// the soak holds the same host lock as the tests that run the loopback demo
// (test/helpers/host-lock.ts, 'loopback-demo') for its whole run; with `--network N` (root) the
// demo runs in network namespaces of its own (bridge weft<N>, 10.77.<N>.0/24: pick an index no
// one else uses — the e2e tests use 3..119) and takes no host ports at all.
//
// The demo's bot fails a share of its requests on purpose (FAIL_RATE): the error rate includes
// them, so read it for drift, not for its level.
import { spawn } from 'node:child_process';
import { hostLock } from '../test/helpers/host-lock.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunState } from '../src/runtime/local/run-state.js';

const root = join(import.meta.dirname, '..', '..');

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

function durationMs(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(s);
  if (!m) throw new Error(`bad duration ${s}: expected e.g. 30m, 90s`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

interface Sample {
  readonly t: number;
  readonly rssMb: number;
  /** V8 heap in use (the proxy's nodejs_heap_size_used_bytes); NaN from a proxy without it. */
  readonly heapMb: number;
  readonly fds: number;
  readonly responses: number;
  readonly failures: number;
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

async function responses(admin: string): Promise<{ total: number; failures: number; heapMb: number }> {
  const text = await (await fetch(`http://${admin}/metrics`)).text();
  let total = 0;
  let failures = 0;
  const heap = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  const heapMb = heap ? Number(heap[1]) / 2 ** 20 : NaN;
  for (const line of text.split('\n')) {
    if (!line.startsWith('response_total{')) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    total += v;
    if (line.includes('classification="failure"')) failures += v;
  }
  return { total, failures, heapMb };
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const total = durationMs(flag('--duration', '30m'));
  const every = durationMs(flag('--sample', '10s'));
  const own = !process.argv.includes('--state-dir');
  const stateDir = own ? mkdtempSync(join(tmpdir(), 'weft-soak-')) : flag('--state-dir', '');
  const network = process.argv.includes('--network') ? flag('--network', '') : undefined;
  const lock = network === undefined ? await hostLock('loopback-demo', 600_000) : undefined;
  const mode = network === undefined ? ['--loopback'] : ['--network', network];
  const demo = spawn(process.execPath, [join(root, 'bin', 'weft.js'), 'demo', ...mode, '--state-dir', stateDir, '--interval', '3600s'], {
    env: { PATH: process.env.PATH ?? '', HOME: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  demo.stdout.on('data', (c: Buffer) => (out += c.toString()));
  demo.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const stop = async (): Promise<void> => {
    demo.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 10_000));
    if (demo.exitCode === null) demo.kill('SIGKILL');
    if (own) rmSync(stateDir, { recursive: true, force: true });
    await lock?.release();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  const upBy = Date.now() + 90_000;
  while (!/the demo is up/.test(out)) {
    if (Date.now() > upBy || demo.exitCode !== null) throw new Error(`the demo did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const state = JSON.parse(readFileSync(join(stateDir, 'run.json'), 'utf8')) as RunState;
  const proxies = state.workloads.filter((w) => w.proxy && w.adminAddr).map((w) => ({ name: w.name, pid: w.proxy?.pid as number, admin: w.adminAddr as string, samples: [] as Sample[] }));
  console.log(`soak: ${proxies.length} proxies (${proxies.map((p) => p.name).join(', ')}), ${total / 1000} s, a sample every ${every / 1000} s`);
  const start = Date.now();
  while (Date.now() - start <= total) {
    for (const p of proxies) {
      const r = await responses(p.admin);
      p.samples.push({ t: (Date.now() - start) / 1000, rssMb: rssMb(p.pid), heapMb: r.heapMb, fds: readdirSync(`/proc/${p.pid}/fd`).length, responses: r.total, failures: r.failures });
    }
    const line = proxies.map((p) => {
      const s = p.samples.at(-1) as Sample;
      return `${p.name} ${s.rssMb.toFixed(1)} MB heap ${s.heapMb.toFixed(1)} MB ${s.fds} fds`;
    });
    console.log(`t=${Math.round((Date.now() - start) / 1000)}s  ${line.join(' | ')}`);
    await new Promise((r) => setTimeout(r, every));
  }
  console.log('\n| proxy | RSS first → last MB | RSS slope MB/h | heap first → last MB | heap slope MB/h | fds first → last | fds slope /h | responses | error rate first half / second half |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of proxies) {
    const s = p.samples;
    const first = s[0] as Sample;
    const last = s.at(-1) as Sample;
    const mid = s[Math.floor(s.length / 2)] as Sample;
    const rate = (a: Sample, b: Sample): string => (b.responses > a.responses ? `${((100 * (b.failures - a.failures)) / (b.responses - a.responses)).toFixed(2)}%` : '–');
    const ts = s.map((x) => x.t / 3600);
    console.log(
      `| ${p.name} | ${first.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} | ${slope(ts, s.map((x) => x.rssMb)).toFixed(2)} | ${first.heapMb.toFixed(1)} → ${last.heapMb.toFixed(1)} | ${slope(ts, s.map((x) => x.heapMb)).toFixed(2)} | ${first.fds} → ${last.fds} | ${slope(ts, s.map((x) => x.fds)).toFixed(1)} | ${last.responses - first.responses} | ${rate(first, mid)} / ${rate(mid, last)} |`,
    );
  }
  await stop();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
