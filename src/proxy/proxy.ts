// Assembles a proxy: the outbound, inbound and admin listeners around their stacks. Used by
// main.ts (the process) and directly by tests (several proxies in one process, port 0).
import net from 'node:net';
import type http from 'node:http';
import type { Address } from '../lib/address.js';
import { Logger } from '../lib/log.js';
import { createAdminServer } from './admin/server.js';
import { proxyEnvSnapshot, type ProxyConfig } from './config.js';
import { inboundStack } from './inbound/stack.js';
import { ProxyMetrics } from './metrics/registry.js';
import { outboundStack } from './outbound/stack.js';
import type { ConnectionStack } from './stack-deps.js';
import { StaticOriginalDst, type OriginalDst } from './tcp/original-dst.js';

export interface ProxyOptions {
  readonly log?: Logger;
  /** Original destination for outbound connections; defaults to the configured static one. */
  readonly origDst?: OriginalDst;
  /** Environment shown on /env.json. */
  readonly env?: Record<string, string | undefined>;
  /** Called once a graceful shutdown requested via the admin has finished. */
  readonly onShutdown?: () => void;
}

export interface ProxyHandle {
  readonly outbound: Address;
  readonly inbound: Address;
  readonly admin: Address;
  readonly metrics: ProxyMetrics;
  readonly log: Logger;
  /** Graceful shutdown: stop accepting, let in-flight work finish (bounded), close. */
  drain(): Promise<void>;
  /** Immediate shutdown. */
  close(): Promise<void>;
}

function listen(server: net.Server | http.Server, addr: Address): Promise<Address> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      const a = server.address() as net.AddressInfo;
      resolve({ host: a.address, port: a.port });
    });
  });
}

function closeServer(server: net.Server | http.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startProxy(cfg: ProxyConfig, opts: ProxyOptions = {}): Promise<ProxyHandle> {
  const log = opts.log ?? new Logger(cfg.logLevel, 'weft-proxy');
  const metrics = new ProxyMetrics();
  const origDst = opts.origDst ?? new StaticOriginalDst(cfg.outboundDefaultDst);
  const deps = { cfg, log, metrics, origDst };

  const stacks: ConnectionStack[] = [outboundStack(deps), inboundStack(deps)];
  const servers = stacks.map((stack) =>
    net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: false }, (s) => stack.accept(s)),
  );
  let draining: Promise<void> | undefined;
  const admin = createAdminServer({
    metrics,
    log,
    ready: () => !draining,
    env: proxyEnvSnapshot(opts.env ?? {}),
    shutdown: () => void handle.drain().then(() => opts.onShutdown?.()),
  });

  const [outbound, inbound] = await Promise.all([
    listen(servers[0] as net.Server, cfg.outboundListen),
    listen(servers[1] as net.Server, cfg.inboundListen),
  ]);
  const adminAddr = await listen(admin, cfg.adminListen);
  log.info('proxy listening', { outbound: `${outbound.host}:${outbound.port}`, inbound: `${inbound.host}:${inbound.port}`, admin: `${adminAddr.host}:${adminAddr.port}` });

  const handle: ProxyHandle = {
    outbound,
    inbound,
    admin: adminAddr,
    metrics,
    log,
    drain() {
      draining ??= (async () => {
        log.info('draining', { open: stacks.reduce((n, s) => n + s.openConnections, 0) });
        const closed = Promise.all(servers.map(closeServer));
        await Promise.all(stacks.map((s) => s.drain(cfg.shutdownGraceMs)));
        await closed;
        admin.closeAllConnections();
        await closeServer(admin);
        log.info('drained');
      })();
      return draining;
    },
    async close() {
      await Promise.all(stacks.map((s) => s.drain(0)));
      await Promise.all(servers.map(closeServer));
      admin.closeAllConnections();
      await closeServer(admin);
    },
  };
  return handle;
}
