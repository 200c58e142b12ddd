// The second half of a request's authorization when only authorizations that require a JWT
// could admit the client (authorize.ts jwtCandidates): the request's bearer token is verified
// against each in order; the first it satisfies admits the request (and is counted as the
// authorization that did), else the request is refused with the first one's reason —
// 401 + `www-authenticate: Bearer ...` for a missing or invalid token (gRPC UNAUTHENTICATED),
// 403 for a valid token without the required claims (PERMISSION_DENIED), as RFC 6750 says.
import type { ConnContext } from '../context.js';
import type { Settled } from './authz-layer.js';
import type { AuthzDeps } from './tcp-authz.js';
import type { JwtFailure } from './jwt.js';
import { bearerToken, verifyJwt } from './jwt.js';
import type { Authorization, InboundRoute, PortPolicy, RouteRule } from './types.js';

function challenge(policy: PortPolicy, f: JwtFailure): string {
  const realm = `realm="${policy.server.name.replace(/["\\]/g, '')}"`;
  if (!f.error) return `Bearer ${realm}`;
  return `Bearer ${realm}, error="${f.error}", error_description="${f.reason.replace(/["\\]/g, '').replace(/[^\x20-\x7e]/g, ' ')}"`;
}

export async function decideJwt(
  d: AuthzDeps, ctx: ConnContext, policy: PortPolicy, m: { route: InboundRoute; rule: RouteRule }, candidates: readonly Authorization[], authorization: string | undefined,
): Promise<Settled> {
  const token = bearerToken(authorization);
  let first: JwtFailure | undefined;
  for (const a of candidates) {
    if (!a.jwt) continue;
    const r = await verifyJwt(a.jwt, token);
    if (r.ok) {
      d.metrics.http(ctx, policy, m.route, a);
      return { kind: 'allow', policy, route: m.route, rule: m.rule };
    }
    first ??= r.failure;
  }
  d.metrics.http(ctx, policy, m.route, undefined);
  const f = first ?? { status: 401, error: '', reason: 'bearer token required' };
  return {
    kind: 'deny', status: f.status, grpcStatus: f.status === 401 ? 16 : 7,
    reason: `${f.status === 401 ? 'unauthenticated' : 'unauthorized'} request on route ${m.route.labels.kind}/${m.route.labels.name} of ${policy.server.kind}/${policy.server.name}: ${f.reason}`,
    wwwAuthenticate: challenge(policy, f),
  };
}
