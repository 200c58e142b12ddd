// Policy fan-out: how long a policy change takes to reach every proxy watching a port's inbound
// policy. Starts `weft destination` as its own process on a temporary state directory, opens W
// WatchPort streams for one pod's port (one HTTP/2 connection each, as separate proxies), then R
// times adds or removes an AuthorizationPolicy through the local store (the `weft apply` path)
// and records, per watcher, the time from the write to the arrival of the new policy.
// Usage: node dist/bench/policy-fanout.js [--watchers 1000] [--rounds 20]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadProto } from '../src/api/load.js';
import type { ProtoGrpcType } from '../src/api/gen/inbound.js';
import { LocalStore } from '../src/control/store/local-store.js';
import { parseManifests } from '../src/control/store/manifest.js';
import { summarize } from './stats.js';
import { listeningPort, rawWatch } from './raw-watch.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const WATCHERS = arg('watchers', 1000);
const ROUNDS = arg('rounds', 20);
const WARMUP = arg('warmup', 3);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const BASE = `apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: bench, labels: {app: api}}
spec: {containers: [{name: app, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api, namespace: bench}
spec: {podSelector: {matchLabels: {app: api}}, port: http}
`;
const AUTHZ = `apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: api-from-web, namespace: bench}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: api}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: web}]
`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-policy-fanout-'));
  const store = await LocalStore.open(dir, { follow: false });
  await store.apply(parseManifests(BASE, 'bench.yaml'));
  const proc = spawn(process.execPath, [resolve('bin/weft.js'), 'destination', '--state-dir', dir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await listeningPort(proc);
    const req = (loadProto('inbound.proto') as unknown as ProtoGrpcType).io.linkerd.proxy.inbound.InboundServerPolicies.service.WatchPort;
    const body = req.requestSerialize({ workload: '{"ns":"bench","pod":"api-0"}', port: 8080 });
    let sentAt = 0;
    let round = 0;
    const samples: number[] = [];
    const seen = new Array<number>(WATCHERS).fill(-1);
    let subscribed = 0;
    const closers: (() => void)[] = [];
    for (let i = 0; i < WATCHERS; i++) {
      closers.push(rawWatch(port, '/io.linkerd.proxy.inbound.InboundServerPolicies/WatchPort', body, () => {
        if (seen[i] === -1) {
          seen[i] = 0;
          subscribed++;
        } else if (seen[i] !== round) {
          seen[i] = round;
          samples.push(performance.now() - sentAt);
        }
      }));
    }
    while (subscribed < WATCHERS) await sleep(20);
    for (round = 1; round <= WARMUP + ROUNDS; round++) {
      if (round === WARMUP + 1) samples.length = 0;
      const expected = samples.length + WATCHERS;
      sentAt = performance.now();
      if (round % 2 === 1) await store.apply(parseManifests(AUTHZ, 'authz.yaml'));
      else await store.delete([{ kind: 'AuthorizationPolicy', namespace: 'bench', name: 'api-from-web' }]);
      const deadline = Date.now() + 10_000;
      while (samples.length < expected && Date.now() < deadline) await sleep(2);
      await sleep(50);
    }
    const s = summarize(Float64Array.from(samples));
    console.log(`policy fan-out: ${WATCHERS} WatchPort watchers x ${ROUNDS} changes, ${s.count} deliveries: ` +
      `p50 ${s.p50Ms.toFixed(1)} ms, p99 ${s.p99Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms (load average ${loadavg()[0]?.toFixed(2)}, ${cpus().length} CPUs)`);
    for (const close of closers) close();
  } finally {
    proc.kill('SIGTERM');
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
