// Validation of Gateway API routes: HTTPRoute (gateway.networking.k8s.io/v1, and Linkerd's
// policy.linkerd.io/v1beta3) and GRPCRoute (gateway.networking.k8s.io/v1). Defaults as the
// Gateway API sets them: a match without a path is PathPrefix "/", a backend's weight is 1.
import type { ObjectMeta } from './types.js';
import type {
  BackendRefSpec, GRPCRoute, GrpcRouteMatchSpec, GrpcRouteRuleSpec, HTTPRoute, HeaderModifierSpec,
  HttpFilterSpec, HttpRouteMatchSpec, HttpRouteRuleSpec, ParentRef, PathModifierSpec, StringMatch,
} from './policy-types.js';
import { oneOf } from './validate-policy.js';
import { parseFault } from './fault-annotations.js';
import { FieldError, duration, int, join, list, obj, optObj, optStr, port, str } from './fields.js';
import type { Obj } from './fields.js';

const HTTP_METHOD = /^[A-Z][A-Z0-9_-]*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function regex(v: string, path: string): string {
  try {
    new RegExp(v);
  } catch (err) {
    throw new FieldError(path, `invalid regular expression: ${(err as Error).message}`);
  }
  return v;
}

function parentRef(v: unknown, path: string): ParentRef {
  const o = obj(v, path);
  const kind = optStr(o['kind'], join(path, 'kind')) ?? 'Gateway';
  if (kind !== 'Server' && kind !== 'Service' && kind !== 'EgressNetwork') throw new FieldError(join(path, 'kind'), `"${kind}" is not a parent weft serves (Server for inbound, Service or EgressNetwork for outbound)`);
  return Object.freeze({
    group: typeof o['group'] === 'string' ? o['group'] : kind === 'Service' ? 'core' : 'policy.linkerd.io',
    kind,
    name: str(o['name'], join(path, 'name')),
    namespace: optStr(o['namespace'], join(path, 'namespace')),
    port: o['port'] === undefined ? undefined : port(o['port'], join(path, 'port')),
  });
}

function stringMatch(v: unknown, path: string, header: boolean): StringMatch {
  const o = obj(v, path);
  const type = oneOf(o['type'], join(path, 'type'), ['Exact', 'RegularExpression'] as const, 'Exact');
  const name = str(o['name'], join(path, 'name'));
  if (header && !HEADER_NAME.test(name)) throw new FieldError(join(path, 'name'), `"${name}" is not a header name`);
  const value = typeof o['value'] === 'string' ? o['value'] : str(o['value'], join(path, 'value'));
  return Object.freeze({ type, name, value: type === 'RegularExpression' ? regex(value, join(path, 'value')) : value });
}

function httpMatch(v: unknown, path: string): HttpRouteMatchSpec {
  const o = obj(v, path);
  const p = optObj(o['path'], join(path, 'path'));
  let pathMatch: HttpRouteMatchSpec['path'];
  if (p) {
    const pp = join(path, 'path');
    const type = oneOf(p['type'], join(pp, 'type'), ['Exact', 'PathPrefix', 'RegularExpression'] as const, 'PathPrefix');
    const value = optStr(p['value'], join(pp, 'value')) ?? '/';
    if (type !== 'RegularExpression' && !value.startsWith('/')) throw new FieldError(join(pp, 'value'), `"${value}" must start with "/"`);
    pathMatch = Object.freeze({ type, value: type === 'RegularExpression' ? regex(value, join(pp, 'value')) : value });
  }
  let method: string | undefined;
  if (o['method'] !== undefined) {
    method = str(o['method'], join(path, 'method'));
    if (!HTTP_METHOD.test(method)) throw new FieldError(join(path, 'method'), `"${method}" is not an HTTP method`);
  }
  return Object.freeze({
    path: pathMatch ?? (method || o['headers'] || o['queryParams'] ? undefined : Object.freeze({ type: 'PathPrefix' as const, value: '/' })),
    headers: Object.freeze(list(o['headers'], join(path, 'headers')).map((h, i) => stringMatch(h, join(join(path, 'headers'), i), true))),
    queryParams: Object.freeze(list(o['queryParams'], join(path, 'queryParams')).map((q, i) => stringMatch(q, join(join(path, 'queryParams'), i), false))),
    method,
  });
}

function headerList(v: unknown, path: string): { name: string; value: string }[] {
  return list(v, path).map((h, i) => {
    const o = obj(h, join(path, i));
    const name = str(o['name'], join(join(path, i), 'name'));
    if (!HEADER_NAME.test(name)) throw new FieldError(join(join(path, i), 'name'), `"${name}" is not a header name`);
    if (typeof o['value'] !== 'string') throw new FieldError(join(join(path, i), 'value'), 'expected a string');
    return Object.freeze({ name, value: o['value'] });
  });
}

function headerModifier(v: unknown, path: string): HeaderModifierSpec {
  const o = obj(v, path);
  return Object.freeze({
    set: Object.freeze(headerList(o['set'], join(path, 'set'))),
    add: Object.freeze(headerList(o['add'], join(path, 'add'))),
    remove: Object.freeze(list(o['remove'], join(path, 'remove')).map((r, i) => str(r, join(join(path, 'remove'), i)))),
  });
}

function pathModifier(v: unknown, path: string): PathModifierSpec | undefined {
  const o = optObj(v, path);
  if (!o) return undefined;
  const type = oneOf(o['type'], join(path, 'type'), ['ReplaceFullPath', 'ReplacePrefixMatch'] as const);
  const key = type === 'ReplaceFullPath' ? 'replaceFullPath' : 'replacePrefixMatch';
  const value = str(o[key], join(path, key));
  if (!value.startsWith('/')) throw new FieldError(join(path, key), `"${value}" must start with "/"`);
  return Object.freeze({ type, value });
}

function hostname(v: unknown, path: string): string | undefined {
  const h = optStr(v, path);
  if (h !== undefined && !HOSTNAME.test(h)) throw new FieldError(path, `"${h}" is not a hostname`);
  return h;
}

/** RequestMirror: backendRef (a Service), and percent (0..100) or fraction (numerator/denominator); default all. */
function requestMirror(body: Obj, bp: string): HttpFilterSpec {
  const ref = obj(body['backendRef'], join(bp, 'backendRef'));
  const rp = join(bp, 'backendRef');
  const kind = optStr(ref['kind'], join(rp, 'kind')) ?? 'Service';
  if (kind !== 'Service') throw new FieldError(join(rp, 'kind'), `"${kind}" is not a backend weft serves (Service)`);
  const backend = Object.freeze({
    name: str(ref['name'], join(rp, 'name')),
    namespace: optStr(ref['namespace'], join(rp, 'namespace')),
    port: ref['port'] === undefined ? undefined : port(ref['port'], join(rp, 'port')),
  });
  if (body['percent'] !== undefined && body['fraction'] !== undefined) throw new FieldError(join(bp, 'fraction'), 'set percent or fraction, not both');
  if (body['percent'] !== undefined) {
    return Object.freeze({ type: 'RequestMirror', backend, numerator: int(body['percent'], join(bp, 'percent'), 0, 100), denominator: 100 });
  }
  const f = optObj(body['fraction'], join(bp, 'fraction'));
  if (!f) return Object.freeze({ type: 'RequestMirror', backend, numerator: 1, denominator: 1 });
  const fp = join(bp, 'fraction');
  const denominator = f['denominator'] === undefined ? 100 : int(f['denominator'], join(fp, 'denominator'), 1, 1_000_000);
  const numerator = int(f['numerator'], join(fp, 'numerator'), 0, denominator);
  return Object.freeze({ type: 'RequestMirror', backend, numerator, denominator });
}

function filter(v: unknown, path: string, grpc: boolean): HttpFilterSpec {
  const o = obj(v, path);
  const allowed = grpc ? ['RequestHeaderModifier', 'ResponseHeaderModifier'] as const
    : ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'RequestMirror'] as const;
  const type = oneOf<string>(o['type'], join(path, 'type'), allowed);
  // The Gateway API's field for each type: requestHeaderModifier, ..., urlRewrite (not "uRLRewrite").
  const field = type === 'URLRewrite' ? 'urlRewrite' : type.charAt(0).toLowerCase() + type.slice(1);
  const body = obj(o[field], join(path, field));
  const bp = join(path, field);
  switch (type) {
    case 'RequestHeaderModifier':
    case 'ResponseHeaderModifier':
      return Object.freeze({ type, modifier: headerModifier(body, bp) });
    case 'RequestRedirect': {
      const scheme = optStr(body['scheme'], join(bp, 'scheme'));
      if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') throw new FieldError(join(bp, 'scheme'), `"${scheme}" is not http or https`);
      const status = body['statusCode'] === undefined ? 302 : int(body['statusCode'], join(bp, 'statusCode'), 300, 308);
      if (status !== 301 && status !== 302) throw new FieldError(join(bp, 'statusCode'), `${status} is not 301 or 302`);
      return Object.freeze({
        type, scheme, hostname: hostname(body['hostname'], join(bp, 'hostname')), path: pathModifier(body['path'], join(bp, 'path')),
        port: body['port'] === undefined ? undefined : port(body['port'], join(bp, 'port')), statusCode: status,
      });
    }
    case 'RequestMirror':
      return requestMirror(body, bp);
    default:
      return Object.freeze({ type: 'URLRewrite', hostname: hostname(body['hostname'], join(bp, 'hostname')), path: pathModifier(body['path'], join(bp, 'path')) });
  }
}

function backendRef(v: unknown, path: string): BackendRefSpec {
  const o = obj(v, path);
  const kind = optStr(o['kind'], join(path, 'kind')) ?? 'Service';
  // EgressNetwork: the request's original destination (a route attached to an EgressNetwork).
  if (kind !== 'Service' && kind !== 'EgressNetwork') throw new FieldError(join(path, 'kind'), `"${kind}" is not a backend weft serves (Service, or EgressNetwork for the original destination)`);
  return Object.freeze({
    group: typeof o['group'] === 'string' ? o['group'] : '',
    kind,
    name: str(o['name'], join(path, 'name')),
    namespace: optStr(o['namespace'], join(path, 'namespace')),
    port: o['port'] === undefined ? undefined : port(o['port'], join(path, 'port')),
    weight: o['weight'] === undefined ? 1 : int(o['weight'], join(path, 'weight'), 0, 1_000_000),
  });
}

function common(spec: Obj): { parentRefs: readonly ParentRef[]; hostnames: readonly string[] } {
  const parentRefs = list(spec['parentRefs'], 'spec.parentRefs').map((r, i) => parentRef(r, join('spec.parentRefs', i)));
  if (parentRefs.length === 0) throw new FieldError('spec.parentRefs', 'a route needs at least one parentRef (a Server, a Service or an EgressNetwork)');
  const hostnames = list(spec['hostnames'], 'spec.hostnames').map((h, i) => hostname(h, join('spec.hostnames', i)) as string);
  return { parentRefs: Object.freeze(parentRefs), hostnames: Object.freeze(hostnames) };
}

export function httpRoute(doc: Obj, m: ObjectMeta, apiVersion: string): HTTPRoute {
  const spec = obj(doc['spec'], 'spec');
  parseFault(m.annotations, false); // validated here, encoded by the control plane
  const rulesIn = spec['rules'] === undefined ? [{}] : list(spec['rules'], 'spec.rules');
  const rules = rulesIn.map((r, i): HttpRouteRuleSpec => {
    const p = join('spec.rules', i);
    const o = obj(r, p);
    const t = optObj(o['timeouts'], join(p, 'timeouts'));
    const matches = list(o['matches'], join(p, 'matches')).map((x, j) => httpMatch(x, join(join(p, 'matches'), j)));
    return Object.freeze({
      matches: Object.freeze(matches.length > 0 ? matches : [httpMatch({}, join(p, 'matches'))]),
      filters: Object.freeze(list(o['filters'], join(p, 'filters')).map((f, j) => filter(f, join(join(p, 'filters'), j), false))),
      backendRefs: Object.freeze(list(o['backendRefs'], join(p, 'backendRefs')).map((b, j) => backendRef(b, join(join(p, 'backendRefs'), j)))),
      requestTimeoutMs: t?.['request'] === undefined ? undefined : duration(t['request'], join(join(p, 'timeouts'), 'request')),
      backendRequestTimeoutMs: t?.['backendRequest'] === undefined ? undefined : duration(t['backendRequest'], join(join(p, 'timeouts'), 'backendRequest')),
    });
  });
  return Object.freeze({ apiVersion, kind: 'HTTPRoute', metadata: m, spec: Object.freeze({ ...common(spec), rules: Object.freeze(rules) }) });
}

function grpcMatch(v: unknown, path: string): GrpcRouteMatchSpec {
  const o = obj(v, path);
  const mo = optObj(o['method'], join(path, 'method'));
  const mp = join(path, 'method');
  if (mo) oneOf(mo['type'], join(mp, 'type'), ['Exact'] as const, 'Exact');
  const service = mo ? optStr(mo['service'], join(mp, 'service')) : undefined;
  const method = mo ? optStr(mo['method'], join(mp, 'method')) : undefined;
  if (mo && service === undefined && method === undefined) throw new FieldError(mp, 'a method match needs service, method or both');
  return Object.freeze({
    service, method,
    headers: Object.freeze(list(o['headers'], join(path, 'headers')).map((h, i) => stringMatch(h, join(join(path, 'headers'), i), true))),
  });
}

export function grpcRoute(doc: Obj, m: ObjectMeta, apiVersion: string): GRPCRoute {
  const spec = obj(doc['spec'], 'spec');
  parseFault(m.annotations, true);
  const rulesIn = spec['rules'] === undefined ? [{}] : list(spec['rules'], 'spec.rules');
  const rules = rulesIn.map((r, i): GrpcRouteRuleSpec => {
    const p = join('spec.rules', i);
    const o = obj(r, p);
    const matches = list(o['matches'], join(p, 'matches')).map((x, j) => grpcMatch(x, join(join(p, 'matches'), j)));
    return Object.freeze({
      matches: Object.freeze(matches.length > 0 ? matches : [grpcMatch({}, join(p, 'matches'))]),
      filters: Object.freeze(list(o['filters'], join(p, 'filters')).map((f, j) => filter(f, join(join(p, 'filters'), j), true))),
      backendRefs: Object.freeze(list(o['backendRefs'], join(p, 'backendRefs')).map((b, j) => backendRef(b, join(join(p, 'backendRefs'), j)))),
    });
  });
  return Object.freeze({ apiVersion, kind: 'GRPCRoute', metadata: m, spec: Object.freeze({ ...common(spec), rules: Object.freeze(rules) }) });
}
