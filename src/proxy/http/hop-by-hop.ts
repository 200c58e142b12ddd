// Hop-by-hop headers (RFC 9110 §7.6.1) apply to one connection only and are never forwarded,
// nor is any header the Connection header names.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Copies headers without hop-by-hop ones. `keep` re-admits names (e.g. upgrade for tunnels). */
export function stripHopByHop(headers: IncomingHttpHeaders, keep: readonly string[] = []): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const conn = headers.connection;
  const named = conn ? conn.toLowerCase().split(',').map((s) => s.trim()) : [];
  for (const name in headers) {
    if ((HOP_BY_HOP.has(name) || named.includes(name)) && !keep.includes(name)) continue;
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Whether a `TE: trailers` request header asked for trailers (the only TE value forwarded). */
export function wantsTrailers(headers: IncomingHttpHeaders): boolean {
  return typeof headers.te === 'string' && headers.te.toLowerCase().split(',').some((s) => s.trim() === 'trailers');
}
