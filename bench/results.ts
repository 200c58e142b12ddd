// The machine description printed with every run, and the append to bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
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

export const loadAvg = (): string => os.loadavg().map((n) => n.toFixed(2)).join(' ');

export const RESULTS_INTRO = `# weft benchmark results

Appended by \`npm run bench\` (bench/run.ts); newest at the bottom. Each section is one run on one
machine: compare rows **within** a section, not across sections. \`× direct\` and \`× nginx\` are
throughput ratios to the direct path and to nginx as one hop in the same run (1.00× nginx = as
fast as nginx). p50/p99 in the throughput tables come from closed-loop tools (wrk, h2load) and
understate the tail; the constant-rate tables (open loop, latency from the scheduled send time)
are the ones for latency claims: "added" is the target's percentile minus direct's. RSS is summed
over the target's processes (both for weft-pair), idle after start and the peak sampled under
load. Load average before/after tells how quiet the machine was. See docs/benchmarks.md.
`;

export function appendResults(path: string, section: string): void {
  if (!existsSync(path)) writeFileSync(path, RESULTS_INTRO);
  appendFileSync(path, `\n${section.trimEnd()}\n`);
}
