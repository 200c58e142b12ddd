// The forward layers alone behind a real listener: HTTP/1 (the proxy's engine) or HTTP/2 prior
// knowledge, each request routed to one backend with the retry policy and per-try timeout the
// test gives. What the proxy's stacks add around them (discovery, metrics) is left out, so a
// test states the route itself — e.g. a per-try timeout, which a ServiceProfile cannot carry.
import net from 'node:net';
import type { Address } from '../../src/lib/address.js';
import { Logger } from '../../src/lib/log.js';
import { PLAINTEXT, type ConnContext } from '../../src/proxy/context.js';
import { FaultGuard } from '../../src/proxy/guard.js';
import { forwardH1 } from '../../src/proxy/http/h1-forward.js';
import { forwardH1OverH2 } from '../../src/proxy/http/h1-over-h2.js';
import { H1Pool } from '../../src/proxy/http/h1/pool.js';
import { forwardH2 } from '../../src/proxy/http/h2-forward.js';
import { H2SessionPool } from '../../src/proxy/http/h2-pool.js';
import type { ForwardOptions } from '../../src/proxy/http/retry-body.js';
import { DEFAULT_FORWARD_OPTIONS } from '../../src/proxy/http/retry-body.js';
import type { AttemptOutcome } from '../../src/proxy/http/route.js';
import { serveHttp } from '../../src/proxy/http/serve.js';
import { ProxyMetrics } from '../../src/proxy/metrics/registry.js';
import { DEFAULT_H2_LIMITS } from '../../src/proxy/config.js';

export interface HarnessRoute {
  /** Makes each request's retry decision (a test counts and bounds it); absent: no retries. */
  retry?: () => (o: AttemptOutcome) => boolean;
  tryTimeoutMs?: number;
}

export interface ForwardHarness {
  readonly addr: Address;
  /** Every outcome the forward layer offered to the route's retry decision. */
  readonly outcomes: AttemptOutcome[];
  close(): Promise<void>;
}

/**
 * A listener serving `protocol` that forwards every request to `backend` with `route`'s policy.
 * 'h1-over-h2': HTTP/1 in, each request sent as a stream of one HTTP/2 connection (the meshed
 * path between proxies, here without mTLS) to an HTTP/2 backend.
 */
export async function startForwardHarness(protocol: 'http1' | 'h2' | 'h1-over-h2', backend: Address, route: HarnessRoute, opts: ForwardOptions = DEFAULT_FORWARD_OPTIONS): Promise<ForwardHarness> {
  const log = new Logger('error');
  const guard = new FaultGuard(new ProxyMetrics(), log);
  const h1Pool = new H1Pool({ connectTimeoutMs: 1000, idleTimeoutMs: 30_000, maxIdlePerEndpoint: 16 });
  const h2Pool = new H2SessionPool({ connectTimeoutMs: 1000, idleTimeoutMs: 30_000 });
  const outcomes: AttemptOutcome[] = [];
  const perRequest = route.retry;
  const extra = (): { retry?: (o: AttemptOutcome) => boolean; tryTimeoutMs?: number } => {
    const policy = perRequest?.();
    return {
      ...(policy ? { retry: (o: AttemptOutcome) => (outcomes.push(o), policy(o)) } : {}),
      ...(route.tryTimeoutMs !== undefined ? { tryTimeoutMs: route.tryTimeoutMs } : {}),
    };
  };
  const serve = serveHttp({
    limits: { maxHeaderBytes: 16 * 1024, maxHeaderCount: 100, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 10_000, idleTimeoutMs: 30_000, h2: DEFAULT_H2_LIMITS },
    tunnel: { pool: h1Pool, idleTimeoutMs: 30_000, log },
    guard,
    log,
    onLimit: () => {},
    routeH1: (req, ctx, startMs) => ({ ctx, authority: `${backend.host}:${backend.port}`, target: backend, path: req.target, startMs, ...extra() }),
    routeH2: (headers, ctx, startMs) => ({ ctx, authority: headers[':authority'] ?? '', target: backend, path: headers[':path'] ?? '/', startMs, ...extra() }),
    h1: protocol === 'h1-over-h2' ? forwardH1OverH2(h2Pool, opts) : forwardH1(h1Pool, opts),
    h2: forwardH2(h2Pool, opts),
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    const ctx: ConnContext = { direction: 'outbound', target: backend, tls: PLAINTEXT, log };
    s.pause();
    if (protocol !== 'h2') serve.http1(s, ctx);
    else serve.h2(s, ctx);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    addr: { host: '127.0.0.1', port },
    outcomes,
    async close() {
      for (const s of sockets) s.destroy();
      h1Pool.close();
      h2Pool.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
