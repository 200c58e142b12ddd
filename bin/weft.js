#!/usr/bin/env node
// weft's entry point. `weft proxy` goes straight to the data plane so the sidecar process never
// loads the CLI framework or control-plane code (it must stay small in memory); with arguments
// (--help, --version, or a mistake) it loads only the proxy's help, never starting a proxy.
// Every other command goes through the CLI.
// V8's code cache on disk (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE; off with
// NODE_DISABLE_COMPILE_CACHE=1): compiling weft's and its libraries' modules is ~70 ms of a
// proxy's ~350 ms from start to ready (Node 24.22; docs/proxy.md, "Start-up"); with the cache warm
// start to ready fell by about 50 ms. A read-only or missing directory only leaves it off
// (Node never throws here); Node 20 and Bun lack the call and skip it.
process.getBuiltinModule?.('node:module')?.enableCompileCache?.();
const [sub, ...args] = process.argv.slice(2);
if (sub === 'proxy' && args.length === 0) {
  // The proxy runs from its bundle (scripts/bundle-proxy.mjs, part of `npm run build`).
  const { main } = await import('../dist/proxy/main.js');
  await main(process.env);
} else if (sub === 'proxy') {
  const { proxyArgs } = await import('../dist/src/proxy/help.js');
  process.exitCode = proxyArgs(args, process.stdout, process.stderr);
} else {
  const { run } = await import('../dist/src/cli/main.js');
  await run(process.argv);
}
