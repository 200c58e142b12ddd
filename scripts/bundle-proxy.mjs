#!/usr/bin/env node
// Bundles the proxy (tsc's output, dist/src/proxy/main.js and what it imports) into
// dist/proxy/main.js, which `weft proxy` runs. Why: Node's ES module loader resolves each of
// the proxy's ~110 modules on its own (URL, package scope, realpath, one lstat per path
// segment), and that was about a third of a proxy's start to ready — the ≤ 200 ms target of
// issue 10. In an A/B of 11 starts each (2026-12-04, load average ~4): median 382 ms from
// dist/src, 263 ms bundled (docs/proxy.md, "Start-up").
// What is loaded only on demand (discovery, policy, tap: the gRPC clients) stays on demand:
// dynamic imports become chunks of their own. npm packages stay external (node_modules), so
// @grpc/grpc-js loads as before, and only when one of those chunks needs it.
// dist/proxy/meta.json lists each output's inputs (test/cli/proxy-help.test.ts reads it).
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// A fresh directory: chunk names carry content hashes, so stale ones would otherwise pile up.
rmSync('dist/proxy', { recursive: true, force: true });
const result = await build({
  entryPoints: { main: 'dist/src/proxy/main.js' },
  outdir: 'dist/proxy',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync('dist/proxy/meta.json', JSON.stringify(result.metafile, null, 1));
