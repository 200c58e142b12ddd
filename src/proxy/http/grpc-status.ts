// gRPC status codes for retry decisions: reading grpc-status from a response's headers or
// trailers, and Linkerd's names for the codes (the retry.linkerd.io/grpc annotation's values).
import type { IncomingHttpHeaders } from 'node:http2';
import { ConfigError } from '../../lib/errors.js';

/** Linkerd's names of the gRPC codes a retry condition may list, with their numbers. */
export const GRPC_CODE_NAMES: Readonly<Record<string, number>> = Object.freeze({
  cancelled: 1,
  unknown: 2,
  'invalid-argument': 3,
  'deadline-exceeded': 4,
  'not-found': 5,
  'already-exists': 6,
  'permission-denied': 7,
  'resource-exhausted': 8,
  'failed-precondition': 9,
  aborted: 10,
  'out-of-range': 11,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
  'data-loss': 15,
  unauthenticated: 16,
});

/**
 * Retried when a route asks for gRPC retries without naming codes: Linkerd's default for
 * retry.linkerd.io/grpc (cancelled, deadline-exceeded, internal, resource-exhausted, unavailable).
 */
export const DEFAULT_RETRYABLE_GRPC: ReadonlySet<number> = new Set([1, 4, 8, 13, 14]);

/** Parses "cancelled,unavailable" (Linkerd's names, or numbers); unknown names are an error. */
export function parseGrpcCodes(list: string, what = 'gRPC status codes'): ReadonlySet<number> {
  const out = new Set<number>();
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    const code = /^\d{1,2}$/.test(name) ? Number(name) : GRPC_CODE_NAMES[name];
    if (code === undefined || code < 0 || code > 16) throw new ConfigError(`${what}: unknown gRPC status "${raw.trim()}"`);
    out.add(code);
  }
  return out;
}

/** grpc-status from a header block (response headers of a trailers-only answer, or trailers). */
export function grpcStatusOf(h: IncomingHttpHeaders): number | undefined {
  const v = h['grpc-status'];
  if (typeof v !== 'string' || !/^\d{1,2}$/.test(v)) return undefined;
  return Number(v);
}

export function isGrpcContentType(h: IncomingHttpHeaders): boolean {
  const ct = h['content-type'];
  return typeof ct === 'string' && ct.startsWith('application/grpc');
}
