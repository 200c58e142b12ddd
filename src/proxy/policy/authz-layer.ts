// Inbound authorization per HTTP request, as an H1 and an H2 layer. For each request: the
// port's policy (policy client: last answer, or the configured default), the route it is on
// (no route: 404), then the first of the route's authorizations that admits the client — its
// verified mTLS identity (ctx.tls.clientId, however the handshake was done) and its address;
// failing that, those that also require a bearer JWT, with the request's token (jwt-decide.ts,
// asynchronous: only then). Denied: 403 with weft-proxy-error, or gRPC PERMISSION_DENIED (a
// missing or invalid token: 401 / UNAUTHENTICATED with www-authenticate); the route's request filters
// (header modifier, redirect) apply to what is allowed. An "audit" default allows and logs.
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Logger } from '../../lib/log.js';
import type { ConnContext } from '../context.js';
import type { H1Layer } from '../http/h1-forward.js';
import type { H2Layer } from '../http/h2-forward.js';
import { getHeader, modifyFlat } from '../http/h1/headers.js';
import { PROXY_ERROR_HEADER } from '../http/proxy-error.js';
import { authorize, clientOf, jwtCandidates } from './authorize.js';
import { decideJwt } from './jwt-decide.js';
import { grpcMessage } from '../http/grpc-message.js';
import { isGrpcContentType } from '../http/grpc-status.js';
import type { PolicySource } from './source.js';
import { isAudit } from './default-policy.js';
import type { RequestInfo } from './http-route-match.js';
import { matchRoute, splitTarget } from './http-route-match.js';
import { AuthzMetrics } from './metrics.js';
import type { ProxyMetrics } from '../metrics/registry.js';
import { authorizeTcp } from './tcp-authz.js';
import type { AuthzDeps } from './tcp-authz.js';
import type { Authorization, InboundRoute, PortPolicy, Redirect, RouteRule } from './types.js';

export type { AuthzDeps } from './tcp-authz.js';

/** What the decision says about one request. */
export type Decision =
  | { readonly kind: 'allow'; readonly policy: PortPolicy; readonly route: InboundRoute; readonly rule: RouteRule }
  | { readonly kind: 'deny'; readonly status: 401 | 403 | 404; readonly grpcStatus: number; readonly reason: string; readonly wwwAuthenticate?: string | undefined }
  /** Only authorizations that also require a JWT could admit the client: verify its token (jwt-decide.ts). */
  | { readonly kind: 'jwt'; readonly policy: PortPolicy; readonly match: { route: InboundRoute; rule: RouteRule }; readonly candidates: readonly Authorization[] };

/** A decision made (allow or deny). */
export type Settled = Exclude<Decision, { kind: 'jwt' }>;

/** The decision for one request under one port policy (pure but for metrics and the audit log). */
export function decide(d: AuthzDeps, ctx: ConnContext, policy: PortPolicy, info: RequestInfo): Decision {
  const m = matchRoute(policy.routes, info);
  if (!m) {
    d.metrics.notFound(ctx, policy);
    return { kind: 'deny', status: 404, grpcStatus: 12, reason: `no route of ${policy.server.kind}/${policy.server.name} matches ${info.method} ${info.path}` };
  }
  const client = clientOf(ctx);
  const allowed = authorize(m.route.authorizations, client);
  if (!allowed) {
    const candidates = jwtCandidates(m.route.authorizations, client);
    if (candidates.length > 0) return { kind: 'jwt', policy, match: m, candidates };
  }
  d.metrics.http(ctx, policy, m.route, allowed);
  if (!allowed) {
    return { kind: 'deny', status: 403, grpcStatus: 7, reason: `unauthorized request on route ${m.route.labels.kind}/${m.route.labels.name} of ${policy.server.kind}/${policy.server.name}` };
  }
  if (isAudit(allowed)) {
    d.log.info('audit: request allowed only by the audit policy', { server: policy.server.name, route: m.route.labels.name, client: client.id || client.ip, path: info.path });
  }
  return { kind: 'allow', policy, route: m.route, rule: m.rule };
}

function location(r: Redirect, info: RequestInfo, scheme: string): string {
  const host = r.host || info.host.replace(/:\d+$/, '');
  const port = r.port ? `:${r.port}` : '';
  const path = r.path && 'full' in r.path ? r.path.full : r.path ? r.path.prefix : info.path;
  return `${r.scheme ?? scheme}://${host}${port}${path}${info.query ? `?${info.query}` : ''}`;
}

/** Runs `go` with the port's policy, now or once the first answer (or the default) is in. */
function withPolicy(d: AuthzDeps, ctx: ConnContext, go: (p: PortPolicy) => void): void {
  const port = ctx.target?.port ?? 0;
  const p = d.source.get(port);
  if ('then' in p) void p.then(go);
  else go(p);
}

export function authorizeH1(d: AuthzDeps): H1Layer {
  return (next) => (req, res, route) => {
    withPolicy(d, route.ctx, (policy) => {
      const { path, query } = splitTarget(route.path);
      const info: RequestInfo = { method: req.method, path, query, host: route.authority, header: (n) => getHeader(req.headers, n) };
      const go = (dec: Settled): void => {
        if (dec.kind === 'deny') {
          req.discardBody();
          if (dec.wwwAuthenticate) return denyH1WithChallenge(res, dec.status, dec.reason, dec.wwwAuthenticate);
          return res.respondError(dec.status, dec.status === 403 ? 'Forbidden' : 'Not Found', dec.reason);
        }
        if (dec.rule.redirect) {
          req.discardBody();
          const r = dec.rule.redirect;
          res.writeHead(r.status, r.status === 301 ? 'Moved Permanently' : 'Found', ['location', location(r, info, 'http')], { kind: 'length', length: 0 });
          return res.end();
        }
        if (dec.rule.requestHeaders) modifyFlat(req.headers, dec.rule.requestHeaders);
        next(req, res, route);
      };
      const dec = decide(d, route.ctx, policy, info);
      if (dec.kind !== 'jwt') return go(dec);
      void decideJwt(d, route.ctx, policy, dec.match, dec.candidates, info.header('authorization'))
        .then(go, () => res.respondError(500, 'Internal Server Error', 'JWT verification failed'));
    });
  };
}

const REASON_PHRASES: Readonly<Record<number, string>> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

/** A refusal that tells the client how to authenticate (401/403 with www-authenticate). */
function denyH1WithChallenge(res: Parameters<ReturnType<H1Layer>>[1], status: number, reason: string, challenge: string): void {
  const safe = reason.replace(/[^\x20-\x7e]/g, ' ').slice(0, 256);
  const body = Buffer.from(`${reason}\n`, 'utf8');
  res.writeHead(status, REASON_PHRASES[status] ?? 'Forbidden', ['content-type', 'text/plain; charset=utf-8', PROXY_ERROR_HEADER, safe, 'www-authenticate', challenge], { kind: 'length', length: body.length });
  res.write(body);
  res.end();
}

export function authorizeH2(d: AuthzDeps): H2Layer {
  return (next) => (stream, headers, flags, route) => {
    withPolicy(d, route.ctx, (policy) => {
      const { path, query } = splitTarget(headers[':path'] ?? '/');
      const header = (n: string): string | undefined => {
        const v = headers[n];
        return Array.isArray(v) ? v.join(',') : v;
      };
      const info: RequestInfo = { method: headers[':method'] ?? 'GET', path, query, host: headers[':authority'] ?? route.authority, header };
      const go = (dec: Settled): void => {
        if (dec.kind === 'deny') return denyH2(stream, headers, dec.status, dec.grpcStatus, dec.reason, dec.wwwAuthenticate);
        if (dec.rule.redirect) {
          return void respond(stream, { ':status': dec.rule.redirect.status, location: location(dec.rule.redirect, info, 'http') }, true);
        }
        const mod = dec.rule.requestHeaders;
        if (mod) {
          for (const n of mod.remove) delete headers[n];
          for (const [n, v] of mod.set) headers[n] = v;
          for (const [n, v] of mod.add) {
            const cur = headers[n];
            headers[n] = cur === undefined ? v : `${Array.isArray(cur) ? cur.join(',') : cur},${v}`;
          }
        }
        next(stream, headers, flags, route);
      };
      const dec = decide(d, route.ctx, policy, info);
      if (dec.kind !== 'jwt') return go(dec);
      void decideJwt(d, route.ctx, policy, dec.match, dec.candidates, header('authorization'))
        .then(go, () => denyH2(stream, headers, 500, 13, 'JWT verification failed'));
    });
  };
}

function respond(stream: ServerHttp2Stream, h: Record<string, string | number>, end: boolean): boolean {
  if (stream.destroyed || stream.closed || stream.headersSent) return false;
  try {
    stream.respond(h, { endStream: end });
    return true;
  } catch {
    return false;
  }
}

function denyH2(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, status: number, grpcStatus: number, reason: string, challenge?: string): void {
  const safe = reason.replace(/[^\x20-\x7e]/g, ' ').slice(0, 256);
  const wa: Record<string, string> = challenge ? { 'www-authenticate': challenge } : {};
  if (isGrpcContentType(headers)) {
    respond(stream, { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(grpcStatus), 'grpc-message': grpcMessage(safe), [PROXY_ERROR_HEADER]: safe, ...wa }, true);
  } else if (respond(stream, { ':status': status, 'content-type': 'text/plain; charset=utf-8', [PROXY_ERROR_HEADER]: safe, ...wa }, false)) {
    stream.end(`${reason}\n`);
  }
  // The request body (if any) is not wanted: let the stream close once the response is sent.
  stream.resume();
}

export interface AuthzLayers {
  readonly h1: H1Layer;
  readonly h2: H2Layer;
  /** Opaque TCP: `allow` runs once the connection is authorized, else `deny` (close it). */
  readonly tcp: (ctx: ConnContext, allow: () => void, deny: () => void) => void;
}

/** The inbound stack's authorization layers; with no policy source, pass-through (one call, no lookup). */
export function authzLayers(source: PolicySource | undefined, metrics: ProxyMetrics, log: Logger): AuthzLayers {
  if (!source) return { h1: (next) => next, h2: (next) => next, tcp: (_ctx, allow) => allow() };
  const d: AuthzDeps = { source, metrics: new AuthzMetrics(metrics), log: log.child('authz') };
  return { h1: authorizeH1(d), h2: authorizeH2(d), tcp: (ctx, allow, deny) => authorizeTcp(d, ctx, allow, deny) };
}
