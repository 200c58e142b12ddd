// Where one HTTP request goes: decided by the routing layer (proxy-form URI, :authority, or the
// connection's original destination), read by the layers below it (metrics, forward).
import type { Address } from '../../lib/address.js';
import { formatAddress, parseAuthority } from '../../lib/address.js';
import type { ConnContext } from '../context.js';

export interface HttpRoute {
  readonly ctx: ConnContext;
  /** The authority the client asked for (Host / :authority / proxy-form URI), for metrics. */
  readonly authority: string;
  readonly target: Address | undefined;
  /** The request-target to send upstream (origin-form). */
  readonly path: string;
  /** Start of the request, from performance.now(), for latency. */
  readonly startMs: number;
}

/**
 * Splits an HTTP/1 request-target: proxy-form ("http://host:port/path") names its own
 * destination, origin-form ("/path") goes to the connection's destination.
 */
export function routeFromRequestTarget(url: string, host: string | undefined, ctx: ConnContext, startMs: number): HttpRoute {
  if (url.startsWith('http://')) {
    const slash = url.indexOf('/', 7);
    const authority = slash < 0 ? url.slice(7) : url.slice(7, slash);
    const path = slash < 0 ? '/' : url.slice(slash);
    return { ctx, authority, target: parseAuthority(authority, 80), path, startMs };
  }
  const authority = host ?? (ctx.target ? formatAddress(ctx.target) : '');
  return { ctx, authority, target: ctx.target, path: url, startMs };
}
