// Node/V8 settings for the `weft proxy` process. V8 reads them only at start-up, so whoever
// launches the proxy passes them on node's command line: the local runtime, the injector's
// container command, the bench and the tests all use this one list.
//
// --max-semi-space-size=2: V8 grows the young generation up to 16 MB per semi-space (32 MB in
// all) under allocation bursts and gives it back only after ~30-40 s of idling (its memory
// reducer). A sidecar's memory must stay bounded: after an HTTP/2 rapid-reset flood a proxy sat
// at +38 MB RSS for half a minute with the default, +9 MB with 2 MB semi-spaces; under wrk
// load RSS was 88 MB with the default and 64-74 MB with 1-2 MB, with no CPU-per-request
// difference the machine could resolve (2026-12-03, Node 20.20, bench/RESULTS.md).
//
// --expose-gc: after closing a flooding session the proxy asks for one memory-reducing
// collection (memory-reclaim.ts): Node 24's memory reducer does not run on an idle process
// after a burst, and the flood's garbage would stay in the heap.
export const PROXY_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=2', '--expose-gc']);
