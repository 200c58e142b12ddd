// Bearer JWT verification for authorizations that require a JWTAuthentication (weft's
// extension of Linkerd's policy): signature by a key of the set, issuer, one of the audiences,
// expiry and not-before (30 s of clock skew), then the required claims. `jose` does the JOSE
// part; it is imported on the first verification only, so a proxy whose policy has no JWT
// requirement never loads it. Key sets are kept per source: inline JSON once parsed; a URL
// fetched on first use, kept 10 minutes, and fetched again (at most once a second) when a
// token names a key the set does not hold — how a key rotation at the issuer reaches the proxy.
import type * as JoseModule from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';

export interface JwtRequirement {
  /** The JWTAuthentication's name (for reasons). */
  readonly name: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwks: { readonly json: string } | { readonly url: string };
  readonly claims: readonly { readonly name: string; readonly values: readonly string[] }[];
}

/** Why a request's token did not satisfy a requirement; 401 (no/invalid token) or 403 (claims). */
export interface JwtFailure {
  readonly status: 401 | 403;
  /** RFC 6750's error code for www-authenticate ('' when no token was sent). */
  readonly error: '' | 'invalid_token' | 'insufficient_scope';
  readonly reason: string;
}

type Jose = typeof JoseModule;
let josePromise: Promise<Jose> | undefined;
const jose = (): Promise<Jose> => (josePromise ??= import('jose'));

const keySets = new Map<string, JWTVerifyGetKey>();
const CLOCK_TOLERANCE_S = 30;

async function keySet(r: JwtRequirement): Promise<JWTVerifyGetKey> {
  const key = 'url' in r.jwks ? `url:${r.jwks.url}` : `json:${r.jwks.json}`;
  let ks = keySets.get(key);
  if (!ks) {
    const j = await jose();
    ks = 'url' in r.jwks
      ? j.createRemoteJWKSet(new URL(r.jwks.url), { cooldownDuration: 1000, cacheMaxAge: 600_000, timeoutDuration: 5000 })
      : j.createLocalJWKSet(JSON.parse(r.jwks.json) as Parameters<Jose['createLocalJWKSet']>[0]);
    // Bounded: one entry per key source in the policy; a policy change may add sources, never per request.
    if (keySets.size > 1000) keySets.clear();
    keySets.set(key, ks);
  }
  return ks;
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const m = authorization === undefined ? null : /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  return m?.[1];
}

function claimHolds(v: unknown, accepted: readonly string[]): boolean {
  if (Array.isArray(v)) return v.some((x) => claimHolds(x, accepted));
  if (typeof v === 'string') return accepted.includes(v) || v.split(' ').some((w) => accepted.includes(w));
  if (typeof v === 'number' || typeof v === 'boolean') return accepted.includes(String(v));
  return false;
}

/** What jose's error says, as a reason a client can act on. */
function invalid(err: unknown, r: JwtRequirement): JwtFailure {
  const e = err as { code?: string; claim?: string; message?: string };
  const why =
    e.code === 'ERR_JWT_EXPIRED' ? 'token expired'
      : e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'aud' ? `token audience is not one of ${r.audiences.join(', ')}`
        : e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'iss' ? `token issuer is not ${r.issuer}`
          : e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'nbf' ? 'token not yet valid'
            : e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && e.claim === 'exp' ? 'token has no expiry (exp)'
            : e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'token signature does not verify'
              : e.code === 'ERR_JWKS_NO_MATCHING_KEY' ? 'token signed by a key the issuer\'s key set does not hold'
                : e.code === 'ERR_JWKS_TIMEOUT' || e.code === 'ERR_JOSE_GENERIC' ? `key set unavailable (${e.message ?? e.code})`
                  : `token invalid (${e.code ?? e.message ?? 'unknown'})`;
  return { status: 401, error: 'invalid_token', reason: `${why} (jwtauthentication/${r.name})` };
}

/** Verifies `token` against the requirement: the payload, or why not. */
export async function verifyJwt(r: JwtRequirement, token: string | undefined): Promise<{ ok: true; payload: JWTPayload } | { ok: false; failure: JwtFailure }> {
  if (!token) return { ok: false, failure: { status: 401, error: '', reason: `bearer token required (jwtauthentication/${r.name})` } };
  let payload: JWTPayload;
  try {
    const j = await jose();
    ({ payload } = await j.jwtVerify(token, await keySet(r), { issuer: r.issuer, audience: [...r.audiences], clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ['exp'] }));
  } catch (err) {
    return { ok: false, failure: invalid(err, r) };
  }
  for (const c of r.claims) {
    if (!claimHolds(payload[c.name], c.values)) {
      return { ok: false, failure: { status: 403, error: 'insufficient_scope', reason: `token claim ${c.name} is not one of ${c.values.join(', ')} (jwtauthentication/${r.name})` } };
    }
  }
  return { ok: true, payload };
}
