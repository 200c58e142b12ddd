// The upstream side shared by both directions' stacks: the pooled HTTP/1 connections (plain
// and mTLS), the HTTP/2 session pool, TCP options, and how a stack drains them on shutdown.
import type { ProxyConfig } from './config.js';
import type { Logger } from '../lib/log.js';
import { H2SessionPool } from './http/h2-pool.js';
import type { HttpServe } from './http/serve.js';
import type { MeshConnector } from './mesh/connector.js';
import { H1Pool } from './http/h1/pool.js';
import { tcpUserTimeout } from './tcp/tcp-user-timeout.js';
import type { ConnectionTracker } from './tcp/connections.js';
import type { TcpForwardOptions } from './tcp/forward.js';

export interface Upstream {
  readonly h1Pool: H1Pool;
  readonly h2Pool: H2SessionPool;
  readonly tcp: TcpForwardOptions;
  close(): void;
}

export function createUpstream(cfg: ProxyConfig, log: Logger, mesh: MeshConnector | undefined): Upstream {
  const onSocket = tcpUserTimeout(cfg.upstreamUserTimeoutMs);
  const h1Pool = new H1Pool({ connectTimeoutMs: cfg.connectTimeoutMs, idleTimeoutMs: cfg.idleTimeoutMs, maxIdlePerEndpoint: 1024, mesh, onSocket });
  const h2Pool = new H2SessionPool({ connectTimeoutMs: cfg.connectTimeoutMs, idleTimeoutMs: cfg.idleTimeoutMs, mesh, onSocket });
  return {
    h1Pool,
    h2Pool,
    tcp: { connectTimeoutMs: cfg.connectTimeoutMs, idleTimeoutMs: cfg.tcpIdleTimeoutMs, log },
    close() {
      h2Pool.close();
      h1Pool.close();
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
