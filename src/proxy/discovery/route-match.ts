// Service-profile routing, pure: which route a request takes (first match wins, as Linkerd) and
// whether a response counts as a failure (first matching response class wins; when none
// matches, a 5xx is a failure and anything else a success, as Linkerd's default classifier).
import type { ProfileRoute, RequestMatch, ResponseMatch } from './types.js';

export interface RequestInfo {
  readonly method: string;
  /** The request path without the query string. */
  readonly path: string;
}

export function matchesRequest(m: RequestMatch, req: RequestInfo): boolean {
  switch (m.kind) {
    case 'all': return m.matches.every((x) => matchesRequest(x, req));
    case 'any': return m.matches.some((x) => matchesRequest(x, req));
    case 'not': return !matchesRequest(m.match, req);
    case 'method': return m.method === req.method.toUpperCase();
    case 'path': return m.regex.test(req.path);
  }
}

export function matchesResponse(m: ResponseMatch, status: number): boolean {
  switch (m.kind) {
    case 'all': return m.matches.every((x) => matchesResponse(x, status));
    case 'any': return m.matches.some((x) => matchesResponse(x, status));
    case 'not': return !matchesResponse(m.match, status);
    case 'status': return status >= m.min && status <= m.max;
  }
}

/** Strips the query string from a request target ("/a?b" -> "/a"). */
export function pathOf(target: string): string {
  const q = target.search(/[?#]/);
  return q < 0 ? target : target.slice(0, q);
}

/** The first route whose condition matches, or undefined (the request gets no route policy). */
export function matchRoute<R extends ProfileRoute>(routes: readonly R[], req: RequestInfo): R | undefined {
  return routes.find((r) => r.condition !== undefined && matchesRequest(r.condition, req));
}

export type ResponseClass = 'success' | 'failure';

export function classifyResponse(route: ProfileRoute | undefined, status: number): ResponseClass {
  for (const rc of route?.responseClasses ?? []) {
    if (rc.condition && matchesResponse(rc.condition, status)) return rc.isFailure ? 'failure' : 'success';
  }
  return status >= 500 ? 'failure' : 'success';
}
