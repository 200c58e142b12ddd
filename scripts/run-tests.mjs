#!/usr/bin/env node
// Runs every compiled *.test.js under dist/test (Node 20's --test takes no globs, and given a
// directory it would also run helper modules that merely live under test/).
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('dist/test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const concurrency = process.env.WEFT_TEST_CONCURRENCY ?? '2';
// A file may ask for a longer limit than the default 120 s with a line `// test-timeout: <ms>`
// in its first lines (the one-node Kubernetes e2e does): such files run after the others, one
// group per limit.
const DEFAULT_TIMEOUT = 120000;
const timeoutOf = (f) => Number(/^\/\/ test-timeout: (\d+)$/m.exec(readFileSync(f, 'utf8').slice(0, 2000))?.[1] ?? DEFAULT_TIMEOUT);
const groups = new Map();
for (const f of files) groups.set(timeoutOf(f), [...(groups.get(timeoutOf(f)) ?? []), f]);
// Beside the TAP stream, each group's failures go to a file of their own, printed together at
// the very end: a long run's tail then says which tests failed and why.
const failuresDir = mkdtempSync(join(tmpdir(), 'weft-test-failures-'));
let status = 0;
const failures = [];
for (const [timeout, group] of [...groups].sort((a, b) => a[0] - b[0])) {
  const failuresFile = join(failuresDir, `${timeout}.txt`);
  const reporters = ['--test-reporter=tap', '--test-reporter-destination=stdout', '--test-reporter=./scripts/failure-reporter.mjs', `--test-reporter-destination=${failuresFile}`];
  const r = spawnSync(process.execPath, ['--test', ...reporters, `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, ...group], {
    stdio: 'inherit',
  });
  if ((r.status ?? 1) !== 0) status = r.status ?? 1;
  try {
    failures.push(readFileSync(failuresFile, 'utf8'));
  } catch {
    // no file: the group ran no test
  }
}
rmSync(failuresDir, { recursive: true, force: true });
const summary = failures.join('');
if (summary) console.log(`\n# failed tests, and why:\n${summary.replace(/^/gm, '# ')}`);
process.exit(status);
