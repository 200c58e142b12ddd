// The machine description printed with every run, and the append to bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  readonly nproc: number;
  readonly cpu: string;
  readonly node: string;
  readonly kernel: string;
  readonly tools: string;
}

function firstLine(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return `${cmd} missing`;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? cmd;
}

export function machineInfo(): MachineInfo {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown CPU',
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    tools: [
      firstLine('wrk', ['-v']),
      firstLine('h2load', ['--version']),
      firstLine('nginx', ['-v']),
      firstLine('haproxy', ['-v']).replace(/ - https:.*/, ''),
    ].join('; '),
  };
}

/** Which weft was measured: the commit, and whether the proxy's sources differ from it. */
export function weftRevision(repoRoot: string): string {
  const git = (...args: string[]): string => spawnSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const sha = git('rev-parse', '--short', 'HEAD');
  if (!sha) return 'unknown (not a git checkout)';
  return git('status', '--porcelain', '--', 'src/proxy', 'src/lib') ? `${sha} with uncommitted changes in src/proxy or src/lib` : sha;
}

/** CPU time in clock ticks: busy time of the whole machine, and of this process with its reaped children. */
export interface CpuSnapshot {
  readonly machineBusy: number;
  /** Steal ticks: time the hypervisor ran someone else while this VM had work (part of machineBusy). */
  readonly steal: number;
  readonly self: number;
  readonly atMs: number;
}

/** Busy ticks from /proc/stat's "cpu" line: user nice system idle iowait irq softirq steal … */
export function machineBusyTicks(procStat: string): number {
  const f = (procStat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
}

/** Steal ticks from /proc/stat's "cpu" line (its 8th value). */
export function machineStealTicks(procStat: string): number {
  const f = (procStat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return f[7] ?? 0;
}

/** Average number of cores the hypervisor took away (steal) between the snapshots. */
export function stolenCores(before: CpuSnapshot, after: CpuSnapshot, ticksPerSecond = 100): number {
  const seconds = (after.atMs - before.atMs) / 1000;
  return seconds <= 0 ? 0 : Math.max(0, (after.steal - before.steal) / ticksPerSecond / seconds);
}

/** utime + stime + cutime + cstime from /proc/<pid>/stat (fields 14–17). */
export function processTicks(pidStat: string): number {
  const f = pidStat.slice(pidStat.lastIndexOf(')') + 2).split(' ').map(Number);
  // After the command name: state is field 3, so utime (14) is index 11.
  return (f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0);
}

export function cpuSnapshot(): CpuSnapshot {
  const stat = readFileSync('/proc/stat', 'utf8');
  return {
    machineBusy: machineBusyTicks(stat),
    steal: machineStealTicks(stat),
    self: processTicks(readFileSync('/proc/self/stat', 'utf8')),
    atMs: Date.now(),
  };
}

/**
 * Average number of cores that processes outside this run kept busy between the snapshots: the
 * machine's busy time minus the harness's own and its children's (every child has been reaped by
 * the second snapshot, so all of their CPU time is in cutime/cstime).
 */
export function otherCores(before: CpuSnapshot, after: CpuSnapshot, ticksPerSecond = 100): number {
  const seconds = (after.atMs - before.atMs) / 1000;
  if (seconds <= 0) return 0;
  const other = after.machineBusy - before.machineBusy - (after.self - before.self);
  return Math.max(0, other / ticksPerSecond / seconds);
}

export const loadAvg = (): string => os.loadavg().map((n) => n.toFixed(2)).join(' ');

export const RESULTS_INTRO = `# weft benchmark results

Appended by \`npm run bench\` (bench/run.ts); newest at the bottom. Each section is one run on one
machine: compare rows **within** a section, not across sections. \`× direct\` and \`× nginx\` are
throughput ratios to the direct path and to nginx as one hop in the same run (1.00× nginx = as
fast as nginx). p50/p99 in the throughput tables come from closed-loop tools (wrk, h2load) and
understate the tail; the constant-rate tables (open loop, latency from the scheduled send time)
are the ones for latency claims: "added" is the target's percentile minus direct's. RSS is summed
over the target's processes (both for the pairs), idle after start and the peak sampled under
load. "Other processes" is the CPU that processes outside the run used meanwhile (0.00 cores = a
quiet machine); a run next to a test suite is noisy. See docs/benchmarks.md.
`;

export function appendResults(path: string, section: string): void {
  if (!existsSync(path)) writeFileSync(path, RESULTS_INTRO);
  appendFileSync(path, `\n${section.trimEnd()}\n`);
}
