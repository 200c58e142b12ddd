// Destination fan-out: how long an endpoint change takes to reach every proxy watching the
// service. Starts `weft destination` as its own process on a temporary state directory, opens
// W watch streams (one HTTP/2 connection each, as separate proxies would), then R times changes
// the service's endpoints through the local store — the path `weft apply` takes (state dir ->
// file watch -> store event -> one diff -> W stream writes) — and records, per watcher, the
// time from the write to the arrival of the update.
// Usage: node dist/bench/destination-fanout.js [--watchers 1000] [--rounds 20]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProto } from '../src/api/load.js';
import type { ProtoGrpcType } from '../src/api/gen/destination.js';
import { LocalStore } from '../src/control/store/local-store.js';
import { parseManifests } from '../src/control/store/manifest.js';
import { summarize } from './stats.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const WATCHERS = arg('watchers', 1000);
const ROUNDS = arg('rounds', 20);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const service = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: bench}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
`;
const slice = (round: number): string => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: bench, labels: {kubernetes.io/service-name: web}}
endpoints:
${Array.from({ length: 10 }, (_, i) => `- addresses: [10.2.${round % 250}.${i + 1}]\n  targetRef: {kind: Pod, name: web-${round}-${i}, namespace: bench, serviceAccountName: web}`).join('\n')}
ports: [{name: http, port: 8080}]
`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-fanout-'));
  const store = await LocalStore.open(dir, { follow: false });
  await store.apply(parseManifests(service + '---\n' + slice(0), 'bench.yaml'));
  const proc = spawn(process.execPath, [resolve('bin/weft.js'), 'destination', '--state-dir', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const cleanup = async (): Promise<void> => {
    proc.kill('SIGTERM');
    await store.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((res, rej) => {
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        const m = /listening on port (\d+)/.exec((out += d.toString()));
        if (m) res(Number(m[1]));
      });
      proc.once('exit', (c) => rej(new Error(`weft destination exited ${c}`)));
    });
    // Watchers keep the raw bytes: in a mesh each proxy decodes its own update in its own
    // process; decoding 1000 of them here would measure this one process, not the fan-out.
    // An Update's first byte tells its case: field 1 (add) is tag 0x0a.
    const path = '/io.linkerd.proxy.destination.Destination/Get';
    const req = (loadProto('destination.proto') as unknown as ProtoGrpcType).io.linkerd.proxy.destination.Destination.service.Get;
    let sentAt = 0;
    let round = 0;
    const samples: number[] = [];
    const seen = new Array<number>(WATCHERS).fill(-1);
    let firstMessages = 0;
    const clients: grpc.Client[] = [];
    const calls: grpc.ClientReadableStream<Buffer>[] = [];
    for (let i = 0; i < WATCHERS; i++) {
      // A local subchannel pool gives each watcher its own connection, as separate proxies have.
      const c = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
      clients.push(c);
      const call = c.makeServerStreamRequest(path, req.requestSerialize, (b: Buffer) => b, { path: 'web.bench.svc.cluster.local:80', scheme: '', contextToken: '' });
      calls.push(call);
      call.on('data', (b: Buffer) => {
        if (seen[i] === -1) {
          seen[i] = 0;
          firstMessages++;
          return;
        }
        // Each round sends remove + add; time the add, which carries the new endpoints.
        if (b[0] === 0x0a && seen[i] !== round) {
          seen[i] = round;
          samples.push(performance.now() - sentAt);
        }
      });
      call.on('error', () => undefined);
    }
    while (firstMessages < WATCHERS) await sleep(20);
    process.stderr.write(`fanout: ${WATCHERS} watchers subscribed\n`);
    for (round = 1; round <= ROUNDS; round++) {
      const expected = samples.length + WATCHERS;
      sentAt = performance.now();
      await store.apply(parseManifests(slice(round), 'bench.yaml'));
      const deadline = Date.now() + 10_000;
      while (samples.length < expected && Date.now() < deadline) await sleep(2);
      await sleep(50);
    }
    const s = summarize(Float64Array.from(samples));
    const line = `destination fan-out: ${WATCHERS} watchers x ${ROUNDS} updates, ${s.count} deliveries: p50 ${s.p50Ms.toFixed(1)} ms, p99 ${s.p99Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms`;
    console.log(line);
    for (const c of calls) c.cancel();
    for (const c of clients) c.close();
  } finally {
    await cleanup();
  }
}

await main();
