// Inbound authorization per opaque TCP connection: the Server's authorizations against the
// client's identity and address, decided once at accept. Denied: the connection is closed.
import type { ConnContext } from '../context.js';
import type { Logger } from '../../lib/log.js';
import { authorize, clientOf } from './authorize.js';
import type { AuthzMetrics } from './metrics.js';
import type { PolicySource } from './source.js';

export interface AuthzDeps {
  readonly source: PolicySource;
  readonly metrics: AuthzMetrics;
  readonly log: Logger;
}

/** Calls `allow` or closes the connection (`deny`) once the port's policy is known. */
export function authorizeTcp(d: AuthzDeps, ctx: ConnContext, allow: () => void, deny: () => void): void {
  const port = ctx.target?.port ?? 0;
  const p = d.source.get(port);
  const go = (policy: Awaited<typeof p>): void => {
    const ok = authorize(policy.authorizations, clientOf(ctx));
    d.metrics.tcp(ctx, policy, ok);
    if (ok) return allow();
    ctx.log.info('inbound connection denied', { server: policy.server.name, client: ctx.tls.clientId || ctx.peerIp, port });
    deny();
  };
  if ('then' in p) void p.then(go);
  else go(p);
}
