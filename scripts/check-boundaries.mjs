#!/usr/bin/env node
// Import-boundary rule from docs/DESIGN: the data plane (src/proxy) imports nothing from the
// control plane, the CLI or the runtimes, and no Kubernetes, web or CLI library, so the sidecar
// stays small in memory. Fails lint with the offending file and import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';

const root = resolve('src');
const forbiddenDirs = ['control', 'cli', 'runtime'].map((d) => join(root, d));
const forbiddenPackages = ['@kubernetes/client-node', 'commander', 'yaml', 'playwright-core'];

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const problems = [];
for (const file of walk(join(root, 'proxy'))) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)) {
    const spec = m[1];
    if (spec.startsWith('.')) {
      const target = resolve(join(file, '..'), spec);
      if (forbiddenDirs.some((d) => target === d || target.startsWith(d + '/'))) {
        problems.push(`${relative('.', file)}: imports ${spec} (src/proxy must not import control/, cli/ or runtime/)`);
      }
    } else if (forbiddenPackages.some((p) => spec === p || spec.startsWith(p + '/'))) {
      problems.push(`${relative('.', file)}: imports package ${spec} (not allowed in the data plane)`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`import boundaries ok (${walk(join(root, 'proxy')).length} proxy files checked)`);
