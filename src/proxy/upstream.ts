// The upstream side shared by both directions' stacks: pooled HTTP/1 agents (plain and mTLS),
// the HTTP/2 session pool, TCP options, and how a stack drains them on shutdown.
import http from 'node:http';
import type { ProxyConfig } from './config.js';
import type { Logger } from '../lib/log.js';
import { H2SessionPool } from './http/h2-pool.js';
import type { HttpServe } from './http/serve.js';
import { MeshAgent, type MeshConnector } from './mesh/connector.js';
import type { ConnectionTracker } from './tcp/connections.js';
import type { TcpForwardOptions } from './tcp/forward.js';

export interface Upstream {
  readonly agent: http.Agent;
  readonly meshAgent: MeshAgent | undefined;
  readonly h2Pool: H2SessionPool;
  readonly tcp: TcpForwardOptions;
  close(): void;
}

export function createUpstream(cfg: ProxyConfig, log: Logger, mesh: MeshConnector | undefined): Upstream {
  const agentOpts: http.AgentOptions = { keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, scheduling: 'lifo', timeout: cfg.idleTimeoutMs };
  const agent = new http.Agent(agentOpts);
  const meshAgent = mesh ? new MeshAgent(mesh, agentOpts) : undefined;
  const h2Pool = new H2SessionPool({ connectTimeoutMs: cfg.connectTimeoutMs, idleTimeoutMs: cfg.idleTimeoutMs, mesh });
  return {
    agent,
    meshAgent,
    h2Pool,
    tcp: { connectTimeoutMs: cfg.connectTimeoutMs, idleTimeoutMs: cfg.idleTimeoutMs, log },
    close() {
      h2Pool.close();
      agent.destroy();
      meshAgent?.destroy();
    },
  };
}

/** Graceful drain of one stack: stop keep-alive, wait for connections (bounded), close pools. */
export async function drainStack(httpServe: HttpServe, tracker: ConnectionTracker, upstream: Upstream, deadlineMs: number): Promise<void> {
  httpServe.drain();
  const timer = setInterval(() => httpServe.drain(), 100);
  await tracker.waitClosed(deadlineMs);
  clearInterval(timer);
  upstream.close();
}
