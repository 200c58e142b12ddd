// Runs one fuzz target for a number of generated inputs: stops at the first finding (an
// unexpected exception or broken invariant) and measures the slowest input (hangs) and the heap
// growth over the run (unbounded memory).
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { generate, mulberry32 } from './mutate.js';
import type { FuzzTarget } from './targets.js';

export interface FuzzResult {
  readonly inputs: number;
  readonly slowestMs: number;
  readonly heapGrowthBytes: number;
  readonly finding?: { readonly message: string; readonly input: Buffer };
}

/** A full GC, so heap growth means retained memory, not garbage not yet collected. */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function heapUsed(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

export function runTarget(target: FuzzTarget, opts: { iterations: number; seed: number; progress?: (n: number) => void }): FuzzResult {
  const rng = mulberry32(opts.seed);
  const heap0 = heapUsed();
  let slowestMs = 0;
  for (let i = 1; i <= opts.iterations; i++) {
    const input = generate(rng, target.seeds);
    const t0 = performance.now();
    try {
      target.run(input);
    } catch (err) {
      return { inputs: i, slowestMs, heapGrowthBytes: heapUsed() - heap0, finding: { message: err instanceof Error ? `${err.name}: ${err.message}` : String(err), input } };
    }
    const dt = performance.now() - t0;
    if (dt > slowestMs) slowestMs = dt;
    if (opts.progress && i % 1_000_000 === 0) opts.progress(i);
  }
  return { inputs: opts.iterations, slowestMs, heapGrowthBytes: heapUsed() - heap0 };
}
