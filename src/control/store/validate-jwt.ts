// JWTAuthentication (policy.weft.io/v1alpha1), weft's own authentication kind: field by field,
// every error naming its path. jwks is exactly one of `file` (an absolute path the controller
// reads) or `url` (https, or http for a key server on the same host or network).
import type { ObjectMeta } from './types.js';
import type { JWTAuthentication, JwtClaimSpec } from './policy-types.js';
import { FieldError, join, list, obj, str } from './fields.js';
import type { Obj } from './fields.js';

function nonEmpty(v: unknown, path: string): string {
  const s = str(v, path);
  if (s.trim() === '') throw new FieldError(path, 'must not be empty');
  return s;
}

function jwks(v: unknown, path: string): JWTAuthentication['spec']['jwks'] {
  const o = obj(v, path);
  const keys = Object.keys(o);
  if (keys.length !== 1 || (keys[0] !== 'file' && keys[0] !== 'url')) throw new FieldError(path, 'give exactly one of file (a path to a JWKS JSON file) or url (where the proxies fetch the JWKS)');
  if (keys[0] === 'file') {
    const file = nonEmpty(o['file'], join(path, 'file'));
    if (!file.startsWith('/')) throw new FieldError(join(path, 'file'), `"${file}" is not an absolute path`);
    return Object.freeze({ file });
  }
  const url = nonEmpty(o['url'], join(path, 'url'));
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FieldError(join(path, 'url'), `"${url}" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new FieldError(join(path, 'url'), `"${url}": expected an https:// (or http://) URL`);
  return Object.freeze({ url });
}

function claim(v: unknown, path: string): JwtClaimSpec {
  const o = obj(v, path);
  const name = nonEmpty(o['name'], join(path, 'name'));
  const values = list(o['values'], join(path, 'values')).map((x, i) => str(x, join(join(path, 'values'), i)));
  if (values.length === 0) throw new FieldError(join(path, 'values'), 'a required claim needs at least one accepted value');
  return Object.freeze({ name, values: Object.freeze(values) });
}

export function jwtAuthentication(doc: Obj, m: ObjectMeta, apiVersion: string): JWTAuthentication {
  const spec = obj(doc['spec'], 'spec');
  const issuer = nonEmpty(spec['issuer'], 'spec.issuer');
  const audiences = list(spec['audiences'], 'spec.audiences').map((a, i) => nonEmpty(a, join('spec.audiences', i)));
  if (audiences.length === 0) throw new FieldError('spec.audiences', 'a JWTAuthentication needs at least one audience (the token\'s aud must name one)');
  if (spec['jwks'] === undefined) throw new FieldError('spec.jwks', 'a JWTAuthentication needs jwks: {file: ...} or {url: ...}');
  return Object.freeze({
    apiVersion, kind: 'JWTAuthentication', metadata: m,
    spec: Object.freeze({
      issuer,
      audiences: Object.freeze(audiences),
      jwks: jwks(spec['jwks'], 'spec.jwks'),
      claims: Object.freeze(list(spec['claims'], 'spec.claims').map((c, i) => claim(c, join('spec.claims', i)))),
    }),
  });
}
