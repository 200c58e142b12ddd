// The zero-trust example (examples/demo/policy.yaml, docs/policy.md) on a real `weft demo` mesh in
// network namespaces (as root): with the policy applied live by `weft apply`, every edge the
// demo needs keeps succeeding over mTLS, while a meshed workload with no business there
// (vote-bot -> catalog) and a client outside the mesh (the host -> voting, catalog) are refused
// with 403 / PERMISSION_DENIED and a weft-proxy-error naming the route and server; `weft viz
// authz` shows both the allowed and the unauthorized requests, from Prometheus.
import * as grpc from '@grpc/grpc-js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { votingService } from '../../examples/demo/voting-proto.js';
import type { AuthzResult } from '../../src/control/metrics/authz.js';
import type { StatResult } from '../../src/control/metrics/stat.js';
import { down } from '../../src/runtime/local/down.js';
import { run } from '../../src/runtime/local/exec.js';
import { execInNamespace, netnsSupport } from '../../src/runtime/local/netns.js';
import type { RunState } from '../../src/runtime/local/run-state.js';
import { WEFT_ROOT, up } from '../../src/runtime/local/up.js';
import { assertGone } from '../helpers/mesh-yaml.js';

const support = await netnsSupport();
const noNetns = support.ok ? false : `needs root and ip netns: ${support.reason}`;
// Network indexes: viz.test.ts 0 mod 4, demo-viz.test.ts 1 mod 4, this file 2 mod 4, supervise.test.ts 3 mod 4 (all below 40).
const NET = 6 + (process.pid % 9) * 4;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An HTTP GET from a process (node's fetch) in the given namespace, or on the host: status and weft-proxy-error. */
async function getFrom(netns: string | undefined, url: string): Promise<{ status: number; error: string }> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) }).then(async (r) => { await r.text(); console.log(JSON.stringify({ status: r.status, error: r.headers.get('weft-proxy-error') ?? '' })); })`;
  const r = netns ? await execInNamespace(netns, process.execPath, ['-e', script]) : await run(process.execPath, ['-e', script], { timeoutMs: 10_000 });
  return JSON.parse(r.stdout.trim()) as { status: number; error: string };
}

/** The demo's Results call to voting from the host (outside the mesh): its status code and details. */
async function grpcResults(target: string): Promise<{ code: number; details: string }> {
  const { Client } = votingService();
  const client = new Client(`dns:${target}`, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve) => {
      client.results({}, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (err) => resolve({ code: err?.code ?? grpc.status.OK, details: err?.details ?? '' }));
    });
  } finally {
    client.close();
  }
}

describe('the zero-trust policy on weft demo', { skip: noNetns || (!existsSync(join(WEFT_ROOT, 'dist/examples/demo/main.js')) && 'demo not built'), timeout: 110_000 }, () => {
  test('needed edges keep succeeding, others get 403 naming the policy, viz authz shows allows and denies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-e2e-demo-policy-'));
    let state: RunState | undefined;
    const weft = async (...args: string[]): Promise<string> => (await run(process.execPath, [join(WEFT_ROOT, 'bin/weft.js'), ...args, '--state-dir', dir], { timeoutMs: 30_000 })).stdout;
    try {
      ({ state } = await up({ meshFile: join(WEFT_ROOT, 'examples/demo/mesh.yaml'), stateDir: dir, workingDir: WEFT_ROOT, mode: 'netns', networkIndex: NET, scrapeIntervalSeconds: 1 }));
      const pod = (name: string): RunState['workloads'][number] => {
        const w = state?.workloads.find((x) => x.name === name);
        assert.ok(w?.netns, `pod ${name} in a namespace`);
        return w;
      };
      const catalog = pod('catalog');
      const voting = pod('voting');
      const voteBot = pod('vote-bot');

      // Before: anyone may call catalog.
      assert.equal((await getFrom(undefined, `http://${catalog.ip}:7081/items`)).status, 200);

      const applied = await weft('apply', '-f', join(WEFT_ROOT, 'examples/demo/policy.yaml'));
      assert.match(applied, /server\/catalog-http -n demo created/);
      assert.match(applied, /authorizationpolicy\/catalog-from-web -n demo created/);
      // The proxies watch their ports' policy: the change is in force within a second or two.
      let outside = await getFrom(undefined, `http://${catalog.ip}:7081/items`);
      for (let i = 0; i < 20 && outside.status === 200; i++) {
        await sleep(250);
        outside = await getFrom(undefined, `http://${catalog.ip}:7081/items`);
      }
      const policyApplied = Date.now();
      // Outside the mesh (the host, unauthenticated): refused, and told why.
      assert.equal(outside.status, 403, JSON.stringify(outside));
      assert.match(outside.error, /unauthorized request on route httproute\/catalog-api of server\/catalog-http/);
      // ... except the probes' route, open to any network.
      assert.equal((await getFrom(undefined, `http://${catalog.ip}:7081/healthz`)).status, 200);
      // A meshed workload with no business there: vote-bot's own identity, over mTLS, refused.
      const fromBot = await getFrom(voteBot.netns, 'http://catalog.demo:7081/items');
      assert.equal(fromBot.status, 403, JSON.stringify(fromBot));
      assert.match(fromBot.error, /unauthorized request on route httproute\/catalog-api of server\/catalog-http/);
      // gRPC to voting from outside the mesh: PERMISSION_DENIED, with the reason.
      const grpcDenied = await grpcResults(`${voting.ip}:7082`);
      assert.equal(grpcDenied.code, grpc.status.PERMISSION_DENIED, JSON.stringify(grpcDenied));
      assert.match(grpcDenied.details, /unauthorized request on route .* of server\/voting-grpc/);

      // Meanwhile the demo's own traffic flows: let a window pass under the policy alone, with an
      // outsider knocking on catalog's door (and its probe route) 5 times a second.
      let knocks = 0;
      while (Date.now() < policyApplied + 12_000) {
        const r = await fetch(`http://${catalog.ip}:7081/items`, { signal: AbortSignal.timeout(5000) });
        await r.text();
        assert.equal(r.status, 403);
        // ... and, like a prober, on the one route open to it.
        const probe = await fetch(`http://${catalog.ip}:7081/healthz`, { signal: AbortSignal.timeout(5000) });
        await probe.text();
        assert.equal(probe.status, 200);
        knocks++;
        await sleep(200);
      }
      assert.ok(knocks >= 5, `only ${knocks} knocks in 12 s`);
      const stat = JSON.parse(await weft('viz', 'stat', 'deploy', '-n', 'demo', '--from', 'deploy/web', '-t', '10s', '-o', 'json')) as StatResult;
      const edge = (n: string): StatResult['rows'][number] | undefined => stat.rows.find((r) => r.name === n);
      const toCatalog = edge('catalog');
      const toVotingEdge = edge('voting');
      assert.ok(toCatalog && toCatalog.rps > 1 && (toCatalog.successRate ?? 0) >= 0.95, `web -> catalog under the policy: ${JSON.stringify(toCatalog)}`);
      // voting fails a share of "socks" votes on purpose (FAIL_RATE, gRPC UNKNOWN); a denial would fail them all.
      assert.ok(toVotingEdge && toVotingEdge.rps > 1 && (toVotingEdge.successRate ?? 0) >= 0.8, `web -> voting under the policy: ${JSON.stringify(toVotingEdge)}`);
      const webStat = JSON.parse(await weft('viz', 'stat', 'deploy/web', '-n', 'demo', '-t', '10s', '-o', 'json')) as StatResult;
      assert.ok((webStat.rows[0]?.rps ?? 0) > 2, `vote-bot -> web still served: ${JSON.stringify(webStat.rows)}`);

      // viz authz: the allowed (by which policy) and the unauthorized, per route and server.
      const authz = async (res: string): Promise<AuthzResult> => JSON.parse(await weft('viz', 'authz', res, '-n', 'demo', '-t', '20s', '-o', 'json')) as AuthzResult;
      const cat = await authz('deploy/catalog');
      const allowed = cat.rows.find((r) => r.route === 'httproute/catalog-api' && r.authorization === 'authorizationpolicy/catalog-from-web');
      const denied = cat.rows.find((r) => r.route === 'httproute/catalog-api' && r.authorization === '');
      assert.ok(allowed && allowed.server === 'server/catalog-http' && allowed.rps > 1, JSON.stringify(cat.rows));
      assert.ok(denied && denied.unauthorizedRps > 0, `unauthorized requests shown: ${JSON.stringify(cat.rows)}`);
      assert.ok(cat.rows.some((r) => r.route === 'httproute/catalog-probes' && r.authorization === 'authorizationpolicy/catalog-probes'), JSON.stringify(cat.rows));
      const vote = await authz('deploy/voting');
      assert.ok(vote.rows.some((r) => r.server === 'server/voting-grpc' && r.authorization === 'authorizationpolicy/voting-from-web' && r.rps > 1), JSON.stringify(vote.rows));
      const table = await weft('viz', 'authz', 'deploy/catalog', '-n', 'demo', '-t', '20s');
      assert.match(table, /^ROUTE\s+SERVER\s+AUTHORIZATION\s+UNAUTHORIZED\s+SUCCESS\s+RPS/);
      assert.match(table, /catalog-api\s+server\/catalog-http\s+authorizationpolicy\/catalog-from-web/);
    } finally {
      await down(dir);
      if (state) await assertGone(state);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
