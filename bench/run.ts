// weft's benchmark harness: starts a backend, then for each protocol and target starts the
// target, measures throughput (wrk / h2load) and optionally constant-rate latency, samples the
// target's RSS, stops it, and prints (and appends to bench/RESULTS.md) tables of figures and
// ratios to direct and to nginx. Everything it starts is killed at the end, on error and on Ctrl-C.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeftError } from '../src/lib/errors.js';
import { BenchUsageError } from './errors.js';
import { probe, runH2load, runRate, runWrk, type LoadOptions, type RateLoadOptions } from './load.js';
import { parseOptions, type BenchOptions } from './options.js';
import { startNginxBackend } from './peers.js';
import { cpuTicks, installCleanup, rssMb, stopProcess, TICKS_PER_SECOND } from './procs.js';
import { appendResults, cpuSnapshot, loadAvg, machineInfo, otherCores, stolenCores, weftRevision } from './results.js';
import { formatRateTable, formatStartupTable, formatThroughputTable, type RateRow, type StartupRow, type ThroughputRow } from './table.js';
import { medianRate, medianThroughput } from './medians.js';
import { RUNTIME_NAMES, runtime, type Runtime } from './runtimes.js';
import { measureStartup } from './startup.js';
import { TARGETS, findTarget } from './targets.js';
import type { Protocol, RunningTarget, Target } from './types.js';

const log = (msg: string): void => void process.stderr.write(`bench: ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const message = (err: unknown): string => (err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err));

interface Measured {
  readonly throughput: ThroughputRow;
  readonly rate?: RateRow;
}

async function measure(row: string, running: RunningTarget, protocol: Protocol, o: BenchOptions, workDir: string): Promise<Measured> {
  await probe(running.address, protocol);
  await sleep(500);
  const rssIdle = running.pids.length ? rssMb(running.pids) : undefined;
  let rssLoad = rssIdle;
  let throughput: ThroughputRow = { target: row, ...(rssIdle !== undefined ? { rssIdleMb: rssIdle } : {}) };
  if (o.throughput) {
    const sampler = setInterval(() => {
      if (running.pids.length) rssLoad = Math.max(rssLoad ?? 0, rssMb(running.pids));
    }, 250);
    const lo: LoadOptions = { durationS: o.durationS, warmupS: o.warmupS, connections: o.connections, threads: o.threads, streams: o.streams };
    // CPU per request: the figure a busy machine disturbs least (a proxy starved of CPU does
    // fewer requests, but each costs about the same).
    let ticksFrom: number | undefined;
    const measured = (): void => void (ticksFrom = running.pids.length ? cpuTicks(running.pids) : undefined);
    try {
      const r =
        protocol === 'http1'
          ? await runWrk(running.address, lo, measured)
          : await runH2load(running.address, lo, join(workDir, 'h2load.log'), protocol === 'grpc', measured);
      const ticks = ticksFrom === undefined ? undefined : cpuTicks(running.pids) - ticksFrom;
      const requests = r.requestsPerSec * o.durationS;
      if (running.pids.length) rssLoad = Math.max(rssLoad ?? 0, rssMb(running.pids));
      throughput = {
        ...throughput, ...r,
        ...(rssLoad !== undefined ? { rssLoadMb: rssLoad } : {}),
        ...(ticks !== undefined && requests > 0 ? { cpuUsPerRequest: (ticks * 1e6) / TICKS_PER_SECOND / requests } : {}),
      };
    } finally {
      clearInterval(sampler);
    }
  }
  if (o.rate <= 0) return { throughput };
  const ro: RateLoadOptions = { rate: o.rate, durationS: o.rateDurationS, warmupS: Math.min(1, o.warmupS), connections: o.rateConnections };
  let rssRate = running.pids.length ? rssMb(running.pids) : undefined;
  const sampler = setInterval(() => {
    if (running.pids.length) rssRate = Math.max(rssRate ?? 0, rssMb(running.pids));
  }, 250);
  try {
    const r = await runRate(running.address, protocol, ro);
    return { throughput, rate: { target: row, achievedRps: r.achievedRps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors, ...(rssRate !== undefined ? { rssMb: rssRate } : {}) } };
  } finally {
    clearInterval(sampler);
  }
}

interface Run {
  readonly target: Target;
  /** The row's name: the target, with the runtime when several are compared. */
  readonly row: string;
  readonly runtime: Runtime;
}

async function runTarget(run: Run, protocol: Protocol, backend: { host: string; port: number }, o: BenchOptions, workDir: string, repoRoot: string, rep: number): Promise<Measured> {
  const { target, row } = run;
  const why = target.protocols && !target.protocols.includes(protocol) ? `${target.protocols.join(', ')} only` : target.unavailable(repoRoot);
  if (why) {
    log(`${protocol} ${row}: skipped (${why})`);
    return { throughput: { target: row, note: `not run: ${why}` }, rate: { target: row, note: `not run: ${why}` } };
  }
  const dir = join(workDir, `${protocol}-${row.replace(/\W+/g, '-')}-${rep}`);
  mkdirSync(dir, { recursive: true });
  log(`${protocol} ${row}: starting${o.repeat > 1 ? ` (run ${rep + 1} of ${o.repeat})` : ''}`);
  let running: RunningTarget | undefined;
  try {
    running = await target.start({ protocol, backend, workDir: dir, repoRoot, runtime: run.runtime, ...(o.pin ? { pin: o.pin } : {}) });
    const m = await measure(row, running, protocol, o, workDir);
    const t = m.throughput;
    log(`${protocol} ${row}: ${t.requestsPerSec?.toFixed(0) ?? '-'} req/s` + (m.rate ? `, at ${o.rate} rps p50 ${m.rate.p50Ms?.toFixed(3)} ms p99 ${m.rate.p99Ms?.toFixed(3)} ms` : ''));
    return m;
  } catch (err) {
    log(`${protocol} ${row}: failed: ${message(err)}`);
    printLogTails(dir);
    return { throughput: { target: row, note: `failed: ${message(err)}` }, rate: { target: row, note: `failed: ${message(err)}` } };
  } finally {
    await running?.stop();
  }
}

/** The work dir is removed at exit, so a failed target's logs are shown before they go. */
function printLogTails(dir: string): void {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : n.endsWith('.log') ? [join(d, n)] : []));
  for (const file of walk(dir)) {
    const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-10).join('\n');
    if (tail) log(`--- ${file} (last lines)\n${tail}`);
  }
}

function budgetMs(o: BenchOptions): number {
  const perRun = (o.throughput ? o.durationS + o.warmupS + 30 : 0) + (o.rate > 0 ? o.rateDurationS + 1 + 30 : 0) + 20;
  const startup = o.startup ? o.runtimes.length * o.repeat * 40 : 0;
  return (o.repeat * o.protocols.length * o.targets.length * o.runtimes.length * perRun + startup + 60) * 1000;
}

/** Every (target, runtime) row: the weft targets once per runtime, the others once. */
function runsOf(o: BenchOptions, runtimes: readonly Runtime[]): Run[] {
  return o.targets.flatMap((name) => {
    const target = findTarget(name) as Target;
    if (!target.usesRuntime) return [{ target, row: name, runtime: runtimes[0] as Runtime }];
    return runtimes.map((runtime) => ({ target, row: runtimes.length > 1 ? `${name} (${runtime.name})` : name, runtime }));
  });
}

export async function main(argv: readonly string[]): Promise<void> {
  // The tracing, routes and policy rows run when asked for (--targets): they answer one question, not every run's.
  const o = parseOptions(argv, TARGETS.map((t) => t.name), RUNTIME_NAMES, TARGETS.filter((t) => !['-trace-', '-routes-', '-routed'].some((s) => t.name.includes(s)) && !t.name.startsWith('weft-inbound')).map((t) => t.name));
  const runtimes = o.runtimes.map((n) => runtime(n, log));
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const workDir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  installCleanup(() => (o.keep ? log(`kept ${workDir}`) : rmSync(workDir, { recursive: true, force: true })));
  // Bounded in time whatever hangs: the exit handler kills every child.
  setTimeout(() => {
    log(`overall time limit (${budgetMs(o) / 1000} s) reached, stopping`);
    process.exit(2);
  }, budgetMs(o)).unref();

  const machine = machineInfo();
  const loadBefore = loadAvg();
  const cpuBefore = cpuSnapshot();
  const started = new Date();
  log(`work dir ${workDir}; load average ${loadBefore}`);

  const backendDir = join(workDir, 'backend');
  mkdirSync(backendDir);
  const { proc: backend, ports } = await startNginxBackend(backendDir);
  const backendPort: Record<Protocol, number> = { http1: ports.http1, h2c: ports.h2c, grpc: ports.h2c };
  const sections: string[] = [];
  const runs = runsOf(o, runtimes);
  const measured = new Map<string, Measured[]>();
  try {
    if (o.startup && runs.some((r) => r.target.usesRuntime)) {
      const rows: StartupRow[] = [];
      for (const rt of runtimes) {
        log(`startup ${rt.name}: ${o.repeat} start(s) with a certificate`);
        rows.push(await measureStartup(rt, repoRoot, workDir, Math.max(3, o.repeat)));
        rows.push(await measureStartup(rt, repoRoot, workDir, Math.max(3, o.repeat), true));
      }
      sections.push(formatStartupTable(`start to ready with a certificate from a running identity service (median of ${Math.max(3, o.repeat)}), idle RSS 1 s later; "meshed": also discovery, inbound policy and tap, as an injected pod`, rows));
    }
    // Repeats outermost: each row's runs are spread over the whole bench, so a noisy minute
    // touches one run of many rows rather than every run of one.
    for (let rep = 0; rep < o.repeat; rep++) {
      for (const protocol of o.protocols) {
        for (const run of runs) {
          const m = await runTarget(run, protocol, { host: '127.0.0.1', port: backendPort[protocol] }, o, workDir, repoRoot, rep);
          const key = `${protocol}\0${run.row}`;
          measured.set(key, [...(measured.get(key) ?? []), m]);
        }
      }
    }
    for (const protocol of o.protocols) {
      const all = runs.map((run) => measured.get(`${protocol}\0${run.row}`) ?? []);
      const throughput = all.map((ms) => medianThroughput(ms.map((m) => m.throughput)));
      const rate = all.flatMap((ms) => (ms.some((m) => m.rate) ? [medianRate(ms.flatMap((m) => (m.rate ? [m.rate] : [])))] : []));
      const h2load = `h2load -t${o.threads} -c${o.connections} -m${o.streams} -D${o.durationS}`;
      const load = protocol === 'http1' ? `wrk -t${o.threads} -c${o.connections} -d${o.durationS}s` : protocol === 'h2c' ? h2load : `${h2load}, unary calls`;
      const med = o.repeat > 1 ? `; medians of ${o.repeat} runs` : '';
      if (o.throughput) sections.push(formatThroughputTable(`${protocol}: throughput (${load}, after ${o.warmupS} s warm-up${med})`, throughput));
      if (o.rate > 0) sections.push(formatRateTable(`${protocol}: constant rate ${o.rate} req/s for ${o.rateDurationS} s, ${o.rateConnections} connections${med}`, rate));
    }
  } finally {
    await stopProcess(backend);
  }
  const cpuAfter = cpuSnapshot();
  const others = otherCores(cpuBefore, cpuAfter);
  const stolen = stolenCores(cpuBefore, cpuAfter);

  const header = [
    `## ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.kernel}, Node ${machine.node}`,
    `- tools: ${machine.tools}`,
    `- weft: ${weftRevision(repoRoot)}; proxy runtimes: ${runtimes.map((r) => `${r.name} ${r.version()}`).join(', ')}`,
    `- command: \`${['node dist/bench/run.js', ...argv].join(' ')}\`${argv.length ? '' : ' (defaults)'}`,
    `- backend: nginx, 1 worker, 3-byte 200 on HTTP/1.1 and h2c, empty unary gRPC reply; proxies: weft single-threaded Node, nginx 1 worker, HAProxy nbthread 1; ` +
      (o.pin ? `every proxy pinned with taskset -c ${o.pin}` : 'no CPU pinning'),
    // The run itself keeps 3–4 threads busy (load tool, backend, proxy), so "after" includes it;
    // the CPU of other processes is the cleaner measure of how quiet the machine was.
    `- other processes used ${others.toFixed(2)} of ${machine.nproc} cores on average during the run` +
      ` (of which the hypervisor's steal: ${stolen.toFixed(2)})` +
      `${others > 0.1 ? ' (not a quiet machine: figures are noisy)' : ''}; load average before: ${loadBefore}, after (includes this run): ${loadAvg()}`,
  ].join('\n');
  const report = `${header}\n\n${sections.join('\n\n')}\n`;
  console.log(`\n${report}`);
  if (o.write) {
    appendResults(o.resultsPath, report);
    log(`appended to ${o.resultsPath}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof BenchUsageError) console.error(err.message);
    else if (err instanceof WeftError) console.error(`bench: ${err.code}: ${err.message}`);
    else console.error(err);
    process.exit(1);
  },
);
