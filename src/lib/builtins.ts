// node:http and node:fs for the proxy's modules, taken through process.getBuiltinModule rather
// than an ES import. Importing a builtin as an ES module builds its ESM facade, which reads every
// export, and some exports are lazy getters: node:http's (WebSocket, EventSource…) load the
// bundled undici, node:fs's (ReadStream…) load fs streams. Measured here on Node 24.22:
// `await import('node:http')` 39–48 ms against 6 ms, node:fs 7 ms against 0 — about a sixth of
// the proxy's start-to-ready time (the ≤ 200 ms target of issue 10). Types still come from
// `import type … from 'node:http'`, which costs nothing at run time.
import type * as NodeFs from 'node:fs';
import type * as NodeHttp from 'node:http';

export const http: typeof NodeHttp = process.getBuiltinModule('node:http');
export const fs: typeof NodeFs = process.getBuiltinModule('node:fs');
