#!/usr/bin/env node
// weft's entry point. `weft proxy` goes straight to the data plane so the sidecar process never
// loads the CLI framework or control-plane code (it must stay small in memory); with arguments
// (--help, --version, or a mistake) it loads only the proxy's help, never starting a proxy.
// Every other command goes through the CLI.
const [sub, ...args] = process.argv.slice(2);
if (sub === 'proxy' && args.length === 0) {
  const { main } = await import('../dist/src/proxy/main.js');
  await main(process.env);
} else if (sub === 'proxy') {
  const { proxyArgs } = await import('../dist/src/proxy/help.js');
  process.exitCode = proxyArgs(args, process.stdout, process.stderr);
} else {
  const { run } = await import('../dist/src/cli/main.js');
  await run(process.argv);
}
