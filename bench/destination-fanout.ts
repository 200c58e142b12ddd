// Destination fan-out: how long an endpoint change takes to reach every proxy watching the
// service. Starts `weft destination` as its own process on a temporary state directory, opens
// W watch streams (one HTTP/2 connection each, as separate proxies would), then R times changes
// the service's endpoints through the local store — the path `weft apply` takes (state dir ->
// file watch -> store event -> one diff -> W stream writes) — and records, per watcher, the
// time from the write to the arrival of the update.
// Usage: node dist/bench/destination-fanout.js [--watchers 1000] [--rounds 20]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProto } from '../src/api/load.js';
import type { ProtoGrpcType } from '../src/api/gen/destination.js';
import { LocalStore } from '../src/control/store/local-store.js';
import { parseManifests } from '../src/control/store/manifest.js';
import { summarize } from './stats.js';
import { listeningPort, rawWatch } from './raw-watch.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const WATCHERS = arg('watchers', 1000);
// `raw`: watchers on node:http2 with hand-rolled gRPC framing, light enough that 1000 of them in
// one process measure the server's fan-out; `grpc-js`: full grpc-js clients (heavier per message,
// so on a 2-core machine the figure includes this process decoding 1000 streams).
const VERBOSE = process.argv.includes('--verbose');
const CLIENT = process.argv.includes('--grpc-js') ? 'grpc-js' : 'raw';

const ROUNDS = arg('rounds', 20);
// Untimed rounds first, so the figure is not the JIT warming up.
const WARMUP = arg('warmup', 3);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const service = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: bench}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
`;
// Round r: the service has 10 endpoints, the r-th of which was just added (a rollout step): the
// watchers get one `remove` (the oldest pod) and one `add` (the new one).
const slice = (round: number): string => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: bench, labels: {kubernetes.io/service-name: web}}
endpoints:
${Array.from({ length: 10 }, (_, i) => round + i).map((n) => `- addresses: [10.2.${Math.floor(n / 250)}.${(n % 250) + 1}]\n  targetRef: {kind: Pod, name: web-${n}, namespace: bench, serviceAccountName: web}`).join('\n')}
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
    const port = await listeningPort(proc);
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
    const closers: (() => void)[] = [];
    const onMessage = (i: number, msg: Buffer): void => {
      if (seen[i] === -1) {
        seen[i] = 0;
        firstMessages++;
        return;
      }
      // The update carrying the round's new endpoint is an `add`.
      if (msg[0] === 0x0a && seen[i] !== round) {
        seen[i] = round;
        samples.push(performance.now() - sentAt);
      }
    };
    const request = { path: 'web.bench.svc.cluster.local:80', scheme: '', contextToken: '' };
    for (let i = 0; i < WATCHERS; i++) {
      if (CLIENT === 'grpc-js') {
        // A local subchannel pool gives each watcher its own connection, as separate proxies have.
        const c = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
        const call = c.makeServerStreamRequest(path, req.requestSerialize, (b: Buffer) => b, request);
        call.on('data', (b: Buffer) => onMessage(i, b));
        call.on('error', () => undefined);
        closers.push(() => { call.cancel(); c.close(); });
      } else {
        closers.push(rawWatch(port, path, req.requestSerialize(request), (b) => onMessage(i, b)));
      }
    }
    while (firstMessages < WATCHERS) await sleep(20);
    process.stderr.write(`fanout: ${WATCHERS} watchers subscribed\n`);
    for (round = 1; round <= WARMUP + ROUNDS; round++) {
      if (round === WARMUP + 1) samples.length = 0;
      const expected = samples.length + WATCHERS;
      sentAt = performance.now();
      await store.apply(parseManifests(slice(round), 'bench.yaml'));
      const deadline = Date.now() + 10_000;
      while (samples.length < expected && Date.now() < deadline) await sleep(2);
      const mine = samples.slice(expected - WATCHERS).sort((a, b) => a - b);
      if (VERBOSE) process.stderr.write(`round ${round}: first ${mine[0]?.toFixed(1)} ms, last ${mine[mine.length - 1]?.toFixed(1)} ms\n`);
      await sleep(50);
    }
    const s = summarize(Float64Array.from(samples));
    const line = `destination fan-out: ${WATCHERS} watchers x ${ROUNDS} updates (${CLIENT} clients), ${s.count} deliveries: ` +
      `p50 ${s.p50Ms.toFixed(1)} ms, p99 ${s.p99Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms (load average ${loadavg()[0]?.toFixed(2)}, ${cpus().length} CPUs)`;
    console.log(line);
    for (const close of closers) close();
  } finally {
    await cleanup();
  }
}

await main();
