// Starts the proxy's identity from its config: the key in memory, the CSR, renewal (see
// identity/client.ts), and exposes the two identity metrics in the proxy's registry.
import { readFile } from 'node:fs/promises';
import { Gauge } from './metrics/prom.js';
import type { Logger } from '../lib/log.js';
import { parseSpiffe } from '../lib/spiffe.js';
import type { IdentityConfig } from './config.js';
import { IdentityClient } from './identity/client.js';
import type { ProxyMetrics } from './metrics/registry.js';

export function startIdentity(cfg: IdentityConfig, log: Logger, metrics: ProxyMetrics): IdentityClient {
  const client = new IdentityClient({
    identity: parseSpiffe(cfg.localName),
    token: () => readFile(cfg.tokenFile),
    trustAnchorsPem: cfg.trustAnchorsPem,
    address: cfg.svcAddr,
    ...(cfg.svcName ? { serverName: cfg.svcName } : {}),
    log: log.child('identity'),
  });
  client.on('error', (err) => log.warn('certify failed; will retry', { err }));
  client.on('rotated', (snap) => log.info('certificate obtained', { identity: snap.identity, notAfter: snap.notAfter }));
  metrics.register(
    new Gauge('identity_cert_expiration_timestamp_seconds', 'Time when this proxy’s current certificate expires (unix seconds)', [], (g) =>
      g.set({}, client.certExpirationTimestampSeconds),
    ),
  );
  metrics.register(
    new Gauge('identity_cert_refresh_count', 'Certificates this proxy has obtained since it started', [], (g) => g.set({}, client.certRefreshCount)),
  );
  metrics.register(
    new Gauge('identity_cert_refresh_failure_count', 'Failed attempts to obtain a certificate since start (retried with backoff)', [], (g) =>
      g.set({}, client.certRefreshFailures),
    ),
  );
  client.start();
  return client;
}
