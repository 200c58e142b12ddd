// A JWTAuthentication as the inbound policy API sends it (inbound.proto WeftJwtAuthn, weft's
// extension of Authz). A `jwks.file` is read here, when the policy is computed, and sent inline:
// the proxies need not see the controller's files. A file that cannot be read or is no JWKS makes
// the requirement unusable, and the AuthorizationPolicy is then ignored (never widened), as for a
// missing authentication; a `jwks.url` goes as it is, for the proxies to fetch.
import { readFileSync } from 'node:fs';
import type { WeftJwtAuthn } from '../../api/gen/io/linkerd/proxy/inbound/WeftJwtAuthn.js';
import type { JWTAuthentication } from '../store/policy-types.js';

function jwksFile(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const keys = (JSON.parse(text) as { keys?: unknown }).keys;
    return Array.isArray(keys) && keys.length > 0 ? text : undefined;
  } catch {
    return undefined;
  }
}

export function weftJwt(j: JWTAuthentication): WeftJwtAuthn | undefined {
  const s = j.spec;
  const key = 'file' in s.jwks ? { jwksJson: jwksFile(s.jwks.file) } : { jwksUrl: s.jwks.url };
  if ('jwksJson' in key && !key.jwksJson) return undefined;
  return {
    issuer: s.issuer,
    audiences: [...s.audiences],
    ...key,
    claims: s.claims.map((c) => ({ name: c.name, values: [...c.values] })),
    name: j.metadata.name,
  };
}
