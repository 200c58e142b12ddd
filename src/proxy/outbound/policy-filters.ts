// The Gateway API filters of an outbound route rule, applied to one request: request and
// response header modifiers, redirect, URL rewrite. One function per filter and protocol; the
// route layer (policy-route.ts) decides which apply.
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { modifyFlat, setHeader } from '../http/h1/headers.js';
import type { H1Request } from '../http/h1/request.js';
import type { H1Response } from '../http/h1/response.js';
import type { HeaderModifier, Redirect, RequestMatch } from '../policy/types.js';
import type { UrlRewrite } from './policy-types.js';

/** The same on an HTTP/2 header object. */
export function modifyObject(headers: IncomingHttpHeaders | OutgoingHttpHeaders, mod: HeaderModifier): void {
  for (const n of mod.remove) delete headers[n];
  for (const [n, v] of mod.set) headers[n] = v;
  for (const [n, v] of mod.add) {
    const cur = headers[n];
    headers[n] = cur === undefined ? v : Array.isArray(cur) ? [...cur.map(String), v] : [String(cur), v];
  }
}

/** ResponseHeaderModifier on HTTP/1: the head the forward layer writes is modified on its way out. */
export function modifyResponseH1(res: H1Response, mod: HeaderModifier): void {
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (status, reason, headers, framing, held) => {
    const h = [...headers];
    modifyFlat(h, mod);
    return writeHead(status, reason, h, framing, held);
  };
}

/** ResponseHeaderModifier on HTTP/2. */
export function modifyResponseH2(stream: ServerHttp2Stream, mod: HeaderModifier): void {
  const respond = stream.respond.bind(stream);
  stream.respond = (headers, options) => {
    const h: OutgoingHttpHeaders = { ...headers };
    modifyObject(h, mod);
    respond(h, options);
  };
}

/** The Location of a RequestRedirect: unset parts keep the request's own. */
export function redirectLocation(r: Redirect, host: string, path: string, query: string, match: RequestMatch): string {
  const h = r.host || host.replace(/:\d+$/, '');
  const port = r.port ? `:${r.port}` : '';
  const p = r.path ? replacePath(path, r.path, match) : path;
  return `${r.scheme ?? 'http'}://${h}${port}${p}${query ? `?${query}` : ''}`;
}

/**
 * ReplaceFullPath, or ReplacePrefixMatch: the part of the path the rule's prefix matched is
 * replaced (Gateway API: "/foo" matched by prefix "/foo" with replacement "/bar" -> "/bar").
 */
export function replacePath(path: string, mod: { readonly full: string } | { readonly prefix: string }, match: RequestMatch): string {
  if ('full' in mod) return mod.full;
  const m = match.path;
  if (!m || m.kind !== 'prefix') return mod.prefix; // only a prefix match has a prefix to replace
  const matched = m.value.endsWith('/') && m.value.length > 1 ? m.value.slice(0, -1) : m.value;
  const rest = matched === '/' ? path.slice(1) : path.slice(matched.length).replace(/^\//, '');
  const base = mod.prefix.endsWith('/') ? mod.prefix.slice(0, -1) : mod.prefix;
  return rest ? `${base}/${rest}` : base || '/';
}

/** URLRewrite for HTTP/1: the request target (returned) and the Host header. */
export function rewriteH1(req: H1Request, path: string, query: string, rw: UrlRewrite, match: RequestMatch): string {
  if (rw.host) {
    setHeader(req.headers, 'host', rw.host);
    // The head's Host is what HTTP/1-over-h2 sends as :authority.
    (req.head as { host: string | undefined }).host = rw.host;
  }
  const p = rw.path ? replacePath(path, rw.path, match) : path;
  return query ? `${p}?${query}` : p;
}

/** URLRewrite for HTTP/2: :path and :authority. */
export function rewriteH2(headers: IncomingHttpHeaders, path: string, query: string, rw: UrlRewrite, match: RequestMatch): string {
  if (rw.host) headers[':authority'] = rw.host;
  const p = rw.path ? replacePath(path, rw.path, match) : path;
  const target = query ? `${p}?${query}` : p;
  headers[':path'] = target;
  return target;
}
