// Which inbound route a request is on (Gateway API semantics, as Linkerd's proxy applies them):
// a route's hosts (if any) must match the authority, then its rules' matches are tried; among
// all matching (route, rule) pairs the most specific wins — exact path over prefix, longer
// prefix over shorter, then a method, then more header and query matches. The outbound route
// layer (outbound/policy-route.ts) matches its routes with the same function.
import type { PathMatch, RequestMatch } from './types.js';

export interface RequestInfo {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: string;
  readonly host: string;
  readonly header: (name: string) => string | undefined;
}

export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

function pathMatches(m: PathMatch, path: string): boolean {
  if (m.kind === 'exact') return path === m.value;
  if (m.kind === 'regex') return m.re.test(path);
  // Gateway API prefixes match whole path elements: "/foo" matches "/foo" and "/foo/x", not "/foobar".
  const p = m.value.endsWith('/') && m.value.length > 1 ? m.value.slice(0, -1) : m.value;
  return p === '/' || path === p || path.startsWith(`${p}/`);
}

function queryValue(query: string, name: string): string | undefined {
  for (const kv of query.split('&')) {
    const eq = kv.indexOf('=');
    const k = eq < 0 ? kv : kv.slice(0, eq);
    if (k === name) return eq < 0 ? '' : decodeURIComponent(kv.slice(eq + 1).replace(/\+/g, ' '));
  }
  return undefined;
}

/**
 * Precedence between two matches (Gateway API, with Linkerd's order for regexes), as a tuple
 * compared in order: the path kind (exact over regex over prefix), the longer path (or regex),
 * then a method, then more headers, then more query params. (gRPC: a service, then a method.)
 */
function score(m: RequestMatch): number[] {
  const p = m.path;
  return [
    p?.kind === 'exact' ? 3 : p?.kind === 'regex' ? 2 : p ? 1 : 0,
    !p ? 0 : p.kind === 'regex' ? p.re.source.length : p.value.length,
    m.rpc?.service ? 1 : 0,
    m.rpc?.method ? 1 : 0,
    m.method ? 1 : 0,
    m.headers.length,
    m.query.length,
  ];
}

function better(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) > (b[i] as number);
  return false;
}

function matches(m: RequestMatch, r: RequestInfo): boolean {
  if (m.path && !pathMatches(m.path, r.path)) return false;
  if (m.method && m.method !== r.method) return false;
  if (m.rpc) {
    const [, svc = '', method = ''] = r.path.split('/');
    if ((m.rpc.service && m.rpc.service !== svc) || (m.rpc.method && m.rpc.method !== method)) return false;
  }
  for (const h of m.headers) {
    const v = r.header(h.name);
    if (v === undefined || ('exact' in h ? v !== h.exact : !h.re.test(v))) return false;
  }
  for (const q of m.query) {
    const v = queryValue(r.query, q.name);
    if (v === undefined || ('exact' in q ? v !== q.exact : !q.re.test(v))) return false;
  }
  return true;
}

function hostMatches(hosts: readonly string[], host: string): boolean {
  if (hosts.length === 0) return true;
  const h = host.replace(/:\d+$/, '').toLowerCase();
  return hosts.some((x) => (x.startsWith('.') ? h.endsWith(x) : h === x));
}

/** What a route needs for matching: its hosts and its rules' matches (inbound and outbound routes). */
export interface MatchableRoute {
  readonly hosts: readonly string[];
  readonly rules: readonly { readonly matches: readonly RequestMatch[] }[];
}

/**
 * The most specific (route, rule) for a request; among equals, the earlier route (the control
 * plane orders them). `match` is the match that won (a URL rewrite replaces its prefix).
 */
export function matchRoute<R extends MatchableRoute>(routes: readonly R[], r: RequestInfo): { route: R; rule: R['rules'][number]; match: RequestMatch } | undefined {
  let best: { route: R; rule: R['rules'][number]; match: RequestMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (!hostMatches(route.hosts, r.host)) continue;
    for (const rule of route.rules) {
      for (const m of rule.matches) {
        if (!matches(m, r)) continue;
        const s = score(m);
        if (!best || better(s, best.score)) best = { route, rule, match: m, score: s };
      }
    }
  }
  return best;
}
