#!/usr/bin/env node
// weft's entry point. `weft proxy` goes straight to the data plane so the sidecar process never
// loads the CLI framework or control-plane code (it must stay small in memory); every other
// command goes through the CLI.
const sub = process.argv[2];
if (sub === 'proxy') {
  const { main } = await import('../dist/src/proxy/main.js');
  await main(process.env);
} else {
  const { run } = await import('../dist/src/cli/main.js');
  await run(process.argv);
}
