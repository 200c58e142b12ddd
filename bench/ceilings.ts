// Ceiling targets (issue 10): the runtime's own paths with no proxy logic, run on the same
// runtime and Node flags as the weft proxy, side by side with it in one run. Where a target of
// the issue is out of weft's reach, these rows are the measurement that says so: weft's hop
// cannot beat `node-tcp-pipe`, nor its meshed pair `node-tls-pair`; `node-l7` shows what
// Node's own HTTP stacks (node:http, node:http2) cost with nothing around them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServingCa, signServingCert } from '../src/lib/serving-cert.js';
import type { Address } from '../src/lib/address.js';
import { freePort, startProcess, stopProcess, tcpOpen, waitUntil, type Proc } from './procs.js';
import type { RunningTarget, Target, TargetContext } from './types.js';

/** Starts one ceiling program (dist/bench/ceiling/<file>) on the proxy's runtime and waits for its port. */
async function startCeiling(name: string, ctx: TargetContext, file: string, upstream: Address, extra: readonly string[] = []): Promise<{ proc: Proc; address: Address }> {
  const port = await freePort();
  const { bin, flags } = ctx.runtime.command();
  const proc = startProcess(name, bin, [...flags, join(ctx.repoRoot, 'dist/bench/ceiling', file), String(port), `${upstream.host}:${upstream.port}`, ...extra], {
    cwd: ctx.repoRoot,
    logPath: join(ctx.workDir, `${name}.log`),
    ...(ctx.pin ? { pin: ctx.pin } : {}),
  });
  try {
    await waitUntil(`${name} listening`, () => tcpOpen(port), 10_000, proc);
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
  return { proc, address: { host: '127.0.0.1', port } };
}

const single = (p: { proc: Proc; address: Address }): RunningTarget => ({ address: p.address, pids: [p.proc.pid], stop: () => stopProcess(p.proc) });

const tcpPipe: Target = {
  name: 'node-tcp-pipe',
  usesRuntime: true,
  description: "ceiling for one hop: the proxy's runtime piping TCP to the backend, parsing nothing",
  unavailable: () => undefined,
  start: async (ctx) => single(await startCeiling('node-tcp-pipe', ctx, 'tcp-pipe.js', ctx.backend)),
};

const h1Min: Target = {
  name: 'node-h1-min',
  usesRuntime: true,
  description: "ceiling for the HTTP/1 hop: the proxy's runtime doing the least an HTTP/1 proxy must (find each head's end and Content-Length, pooled keep-alive upstream), nothing validated or counted",
  protocols: ['http1'],
  unavailable: () => undefined,
  start: async (ctx) => single(await startCeiling('node-h1-min', ctx, 'h1-min.js', ctx.backend)),
};

const nodeL7: Target = {
  name: 'node-l7',
  usesRuntime: true,
  description: 'reference for one hop: bare node:http (keep-alive Agent) or node:http2 (one upstream session) forwarding, nothing else',
  unavailable: () => undefined,
  start: async (ctx) => single(await startCeiling('node-l7', ctx, 'node-l7.js', ctx.backend, [ctx.protocol === 'http1' ? 'http1' : 'h2'])),
};

/** A CA and one leaf (server and client auth) for the ceiling pairs, as files under the work dir. */
async function pairCerts(ctx: TargetContext, name: string): Promise<(mode: string) => string[]> {
  const dir = join(ctx.workDir, name);
  mkdirSync(dir, { recursive: true });
  const ca = await createServingCa('bench ceiling CA');
  const leaf = await signServingCert(ca, { dnsNames: ['localhost'] }, { clientAuth: true });
  const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'ca.pem') };
  writeFileSync(files.cert, leaf.certPem);
  writeFileSync(files.key, leaf.keyPem, { mode: 0o600 });
  writeFileSync(files.ca, ca.certPem);
  return (mode) => [mode, files.cert, files.key, files.ca];
}

/** Two ceiling programs chained client → server → backend; the client is the address. */
async function ceilingPair(name: string, ctx: TargetContext, file: string, args: (mode: 'client' | 'server') => string[]): Promise<RunningTarget> {
  const server = await startCeiling(`${name}-server`, ctx, file, ctx.backend, args('server'));
  try {
    const client = await startCeiling(`${name}-client`, ctx, file, server.address, args('client'));
    return { address: client.address, pids: [client.proc.pid, server.proc.pid], stop: async () => (await stopProcess(client.proc), await stopProcess(server.proc)) };
  } catch (err) {
    await stopProcess(server.proc);
    throw err;
  }
}

const tlsPair: Target = {
  name: 'node-tls-pair',
  usesRuntime: true,
  description: 'ceiling for the meshed pair: two runtime processes tunnelling each connection over its own mutual TLS 1.3 connection (ECDSA P-256), no HTTP',
  unavailable: () => undefined,
  start: async (ctx) => ceilingPair('node-tls-pair', ctx, 'tls-pipe.js', await pairCerts(ctx, 'tls-pair')),
};

const l7TlsPair: Target = {
  name: 'node-l7-tls-pair',
  usesRuntime: true,
  description: "reference for the meshed pair over HTTP/2: two bare node:http2 relays, the first carrying every stream on one mutual TLS 1.3 session to the second (weft's h2c and gRPC pair with nothing but the runtime's HTTP/2 and TLS)",
  protocols: ['h2c', 'grpc'],
  unavailable: () => undefined,
  start: async (ctx) => {
    const certArgs = await pairCerts(ctx, 'l7-tls-pair');
    return ceilingPair('node-l7-tls-pair', ctx, 'node-l7.js', (mode) => ['h2', ...certArgs(mode)]);
  },
};

export const CEILING_TARGETS: readonly Target[] = [tcpPipe, h1Min, nodeL7, tlsPair, l7TlsPair];
