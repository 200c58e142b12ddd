// The list of ways to reach the backend. Each target starts whatever it needs for one protocol
// and says where the load goes; adding one (e.g. a weft mTLS pair) is one more entry here.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { haproxyConf, nginxProxyConf, startHaproxy, startNginx } from './peers.js';
import { freePort, stopProcess } from './procs.js';
import { startWeftProxy, weftUnavailable } from './weft.js';
import { startBenchIdentity } from './identity-fixture.js';
import { startActiveTap, type ActiveTap } from './tap-client.js';
import { tapIdentity } from '../src/control/tap/identity.js';
import { startTraceSink } from './trace-sink.js';
import { routesHop } from './routes-hop.js';
import { routedHop } from './routed-hop.js';
import { POLICY_TARGETS } from './policy-targets.js';
import { CEILING_TARGETS } from './ceilings.js';
import type { Target, TargetContext } from './types.js';

function toolUnavailable(tool: string): string | undefined {
  return spawnSync(tool, ['-v'], { stdio: 'ignore' }).error ? `${tool} not installed` : undefined;
}

const direct: Target = {
  name: 'direct',
  usesRuntime: false,
  description: 'the load generator talks to the backend itself (the baseline)',
  unavailable: () => undefined,
  start: async (ctx) => ({ address: ctx.backend, pids: [], stop: async () => {} }),
};

const weftHop: Target = {
  name: 'weft-hop',
  usesRuntime: true,
  description: "one weft proxy: its outbound listener, default destination = the backend",
  unavailable: weftUnavailable,
  start: async (ctx) => {
    const p = await startWeftProxy('weft-hop', ctx, { outboundDst: ctx.backend });
    return { address: p.outbound, pids: [p.proc.pid], stop: () => stopProcess(p.proc) };
  },
};

/**
 * Two weft processes as in the mesh; `mtls` gives each its identity env (for mTLS) or none;
 * `tap`: the inbound proxy serves tap and one tap (all requests) is open on it throughout;
 * `clientEnv`: more settings for the outbound (client) proxy.
 */
function pairTarget(name: string, description: string, mtls: boolean, tap = false, extraClientEnv: Record<string, string> = {}): Target {
  return {
    name,
    description,
    usesRuntime: true,
    unavailable: weftUnavailable,
    start: async (ctx) => {
      const identity = mtls ? await startBenchIdentity(ctx.workDir) : undefined;
      const tapPort = tap ? await freePort() : 0;
      const serverEnv = {
        ...(identity?.proxyEnv('server') ?? {}),
        ...(identity && tap ? { WEFT_PROXY_TAP_SVC_NAME: tapIdentity(identity.service.trustDomain), WEFT_PROXY_TAP_LISTEN_ADDR: `127.0.0.1:${tapPort}` } : {}),
      };
      const clientEnv = { ...(identity ? { ...identity.proxyEnv('client'), WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY: identity.spiffe('server') } : {}), ...extraClientEnv };
      const server = await startWeftProxy(`${name}-inbound`, ctx, { inboundDst: ctx.backend }, serverEnv);
      try {
        const client = await startWeftProxy(`${name}-outbound`, ctx, { outboundDst: server.inbound }, clientEnv);
        let active: ActiveTap | undefined;
        if (identity && tap) active = await startActiveTap(identity, `127.0.0.1:${tapPort}`, identity.spiffe('server'));
        return {
          address: client.outbound,
          pids: [client.proc.pid, server.proc.pid],
          stop: async () => {
            if (active) process.stderr.write(`bench: ${name}: the tap received ${active.events()} events\n`);
            active?.close();
            await stopProcess(client.proc);
            await stopProcess(server.proc);
            await identity?.close();
          },
        };
      } catch (err) {
        await stopProcess(server.proc);
        await identity?.close();
        throw err;
      }
    },
  };
}

const weftPair = pairTarget('weft-pair', 'two weft processes as in the mesh: outbound proxy → inbound proxy → backend', false);
// The meshed pair's two ways to carry HTTP/1 (issue 10: measured side by side), each named
// explicitly so the rows keep their meaning whatever the default: as streams of one HTTP/2
// connection (Linkerd's way), and each request on a pooled mTLS connection, weft's HTTP/1
// engine on both ends (the default since 2026-12-03: 2x the throughput, see docs/proxy.md).
const weftMtlsPair = pairTarget(
  'weft-mtls-pair',
  'the pair with identities from a real identity service: mTLS between the proxies (HTTP/1 carried over one h2 connection: WEFT_PROXY_MESH_HTTP1_OVER_H2=true)',
  true,
  false,
  { WEFT_PROXY_MESH_HTTP1_OVER_H2: 'true' },
);

const weftMtlsPairH1 = pairTarget(
  'weft-mtls-pair-h1',
  'the mTLS pair carrying HTTP/1 as HTTP/1 over pooled mTLS connections (WEFT_PROXY_MESH_HTTP1_OVER_H2=false)',
  true,
  false,
  { WEFT_PROXY_MESH_HTTP1_OVER_H2: 'false' },
);

const weftMtlsPairTapped = pairTarget(
  'weft-mtls-pair-tap',
  'the mTLS pair with one tap open on the inbound proxy (every request matched; events bounded at 1000/s per stream)',
  true,
  true,
);

/** One hop with tracing on: every request carries no context, `rate` of them start a trace. */
function tracedHop(name: string, rate: string): Target {
  return {
    name,
    usesRuntime: true,
    description: `one weft proxy with tracing on, sampling rate ${rate}, spans exported to a local OTLP/HTTP sink`,
    unavailable: weftUnavailable,
    start: async (ctx) => {
      const sink = await startTraceSink();
      const p = await startWeftProxy(name, ctx, { outboundDst: ctx.backend }, { WEFT_PROXY_TRACE_COLLECTOR_SVC_ADDR: sink.address, WEFT_PROXY_TRACE_SAMPLING_RATE: rate });
      return { address: p.outbound, pids: [p.proc.pid], stop: async () => (await stopProcess(p.proc), await sink.close()) };
    },
  };
}

const nginx: Target = {
  name: 'nginx',
  usesRuntime: false,
  description: 'nginx as one reverse-proxy hop, 1 worker, upstream keep-alive',
  unavailable: () => toolUnavailable('nginx'),
  start: async (ctx: TargetContext) => {
    const dir = join(ctx.workDir, 'nginx');
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const proc = await startNginx('nginx', dir, nginxProxyConf(dir, port, ctx.protocol, ctx.backend), [port], ctx.pin);
    return { address: { host: '127.0.0.1', port }, pids: [proc.pid], stop: () => stopProcess(proc) };
  },
};

const haproxy: Target = {
  name: 'haproxy',
  usesRuntime: false,
  description: 'HAProxy as one hop, nbthread 1, http-reuse always',
  unavailable: () => toolUnavailable('haproxy'),
  start: async (ctx: TargetContext) => {
    const dir = join(ctx.workDir, 'haproxy');
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const proc = await startHaproxy('haproxy', dir, haproxyConf(port, ctx.protocol, ctx.backend), port, ctx.pin);
    return { address: { host: '127.0.0.1', port }, pids: [proc.pid], stop: () => stopProcess(proc) };
  },
};

export const TARGETS: readonly Target[] = [direct, weftHop, tracedHop('weft-hop-trace-1pct', '0.01'), tracedHop('weft-hop-trace-100pct', '1'), routesHop('weft-hop-routes-1', 1), routesHop('weft-hop-routes-100', 100), weftPair, weftMtlsPair, weftMtlsPairH1, weftMtlsPairTapped,
  routedHop('weft-hop-routed-cost-off', 0, weftUnavailable), routedHop('weft-hop-routed', 16, weftUnavailable), routedHop('weft-hop-routed-cost-all', 1, weftUnavailable), nginx, haproxy, ...POLICY_TARGETS, ...CEILING_TARGETS];

export function findTarget(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
