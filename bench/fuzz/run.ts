// Fuzzes weft's input parsers: `node dist/bench/fuzz/run.js [--iterations N] [--seed S]
// [--target NAME]` (default 10,000,000 inputs per target). Prints progress every million, the
// slowest single input, heap growth, and on a finding the seed and input (hex) to replay it.
// Not run in CI (a seeded 50k pass is: test/bench/fuzz.test.ts).
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { TARGETS } from './targets.js';
import { runTarget } from './runner.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '10000000' }, seed: { type: 'string', default: '1' }, target: { type: 'string' } } });
const iterations = Number(values.iterations);
const seed = Number(values.seed);
if (!Number.isInteger(iterations) || iterations < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: fuzz [--iterations N] [--seed S] [--target NAME]\n');
  process.exit(2);
}
const chosen = TARGETS.filter((t) => !values.target || t.name === values.target);
if (chosen.length === 0) {
  process.stderr.write(`unknown target; known: ${TARGETS.map((t) => t.name).join(', ')}\n`);
  process.exit(2);
}
let failed = false;
for (const target of chosen) {
  const started = performance.now();
  const r = runTarget(target, { iterations, seed, progress: (n) => process.stderr.write(`fuzz ${target.name}: ${n / 1e6}M inputs\n`) });
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  if (r.finding) {
    failed = true;
    process.stdout.write(`${target.name}: FINDING after ${r.inputs} inputs (seed ${seed}): ${r.finding.message}\n  input (hex): ${r.finding.input.toString('hex')}\n`);
  } else {
    process.stdout.write(`${target.name}: ${r.inputs} inputs in ${secs} s, no finding; slowest input ${r.slowestMs.toFixed(2)} ms, heap ${(r.heapGrowthBytes / 1048576).toFixed(1)} MB above the start\n`);
  }
}
process.exit(failed ? 1 : 0);
