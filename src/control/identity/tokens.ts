// Who is asking? A TokenVerifier turns the Certify request's token into the identity it proves.
// Verifiers are registered by kind (grpc-js resolver style): `local` (join tokens, below) and
// `kubernetes` (service-account tokens checked by a TokenReview, token-review.ts — loaded on
// first use, so the local runtime never loads the Kubernetes client).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WorkloadId } from '../../lib/spiffe.js';
import { DEFAULT_TRUST_DOMAIN, formatSpiffe, parseSpiffe } from '../../lib/spiffe.js';
import { TokenInvalidError } from './errors.js';

export interface TokenVerifier {
  /** Returns the identity the token proves, or throws TokenInvalidError. */
  verify(token: Buffer): Promise<WorkloadId>;
}

export interface TokenVerifierOptions {
  /** The CA's directory (local verifier: holds the join-token secret). */
  readonly dir?: string;
  readonly secret?: Buffer;
  readonly now?: () => number;
  /** Kubernetes verifier: the kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeconfig?: string;
  /** Kubernetes verifier: the audience tokens must be minted for. */
  readonly audience?: string;
  /** The trust domain identities are named in. */
  readonly trustDomain?: string;
}

export type TokenVerifierFactory = (opts: TokenVerifierOptions) => TokenVerifier;

const registry = new Map<string, TokenVerifierFactory>();

export function registerTokenVerifier(kind: string, factory: TokenVerifierFactory): void {
  registry.set(kind, factory);
}

export function createTokenVerifier(kind: string, opts: TokenVerifierOptions): TokenVerifier {
  const f = registry.get(kind);
  if (!f) throw new TokenInvalidError(`no token verifier of kind "${kind}" (known: ${[...registry.keys()].join(', ')})`);
  return f(opts);
}

// Local join tokens: `weft1.<base64url(JSON {sub: spiffe-id, exp: unix-seconds})>.<base64url(mac)>`
// where mac = HMAC-SHA256(secret, "weft1." + payload). The secret never leaves the control
// plane; the local runtime hands each workload's proxy its token at start.
const PREFIX = 'weft1';
export const DEFAULT_JOIN_TOKEN_TTL_MS = 365 * 24 * 3600_000;

export function generateJoinTokenSecret(): Buffer {
  return randomBytes(32);
}

export class JoinTokens implements TokenVerifier {
  private readonly now: () => number;
  constructor(private readonly secret: Buffer, now: () => number = Date.now) {
    if (secret.length < 16) throw new TokenInvalidError('join-token secret is shorter than 16 bytes');
    this.now = now;
  }

  issue(id: WorkloadId, ttlMs = DEFAULT_JOIN_TOKEN_TTL_MS): string {
    const payload = Buffer.from(
      JSON.stringify({ sub: formatSpiffe(id), exp: Math.floor((this.now() + ttlMs) / 1000) }),
    ).toString('base64url');
    return `${PREFIX}.${payload}.${this.mac(payload).toString('base64url')}`;
  }

  async verify(token: Buffer): Promise<WorkloadId> {
    const parts = token.toString('utf8').split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX) throw new TokenInvalidError('not a weft join token');
    const [, payload, mac] = parts as [string, string, string];
    const want = this.mac(payload);
    const got = Buffer.from(mac, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      throw new TokenInvalidError('join token signature does not verify');
    }
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch (err) {
      throw new TokenInvalidError('join token payload is not JSON', { cause: err });
    }
    if (!claims || typeof claims !== 'object') throw new TokenInvalidError('join token payload is not an object');
    const { sub, exp } = claims as { sub?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || typeof exp !== 'number') throw new TokenInvalidError('join token lacks sub/exp');
    if (exp * 1000 <= this.now()) throw new TokenInvalidError(`join token expired at ${new Date(exp * 1000).toISOString()}`);
    try {
      return parseSpiffe(sub);
    } catch (err) {
      throw new TokenInvalidError('join token names an invalid identity', { cause: err });
    }
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(`${PREFIX}.${payload}`).digest();
  }
}

registerTokenVerifier('local', (opts) => {
  if (!opts.secret) throw new TokenInvalidError('local token verifier needs the join-token secret');
  return new JoinTokens(opts.secret, opts.now);
});

/** Kubernetes projected service-account tokens are minted for this audience by default. */
export const DEFAULT_TOKEN_AUDIENCE = 'identity.weft.io';

registerTokenVerifier('kubernetes', (opts) => {
  let loaded: Promise<TokenVerifier> | undefined;
  const load = (): Promise<TokenVerifier> =>
    (loaded ??= import('./token-review.js')
      .then((m) => new m.TokenReviewVerifier({ kubeconfig: opts.kubeconfig, audience: opts.audience ?? DEFAULT_TOKEN_AUDIENCE, trustDomain: opts.trustDomain ?? DEFAULT_TRUST_DOMAIN }))
      .catch((err: unknown) => {
        loaded = undefined; // try again on the next request (e.g. a kubeconfig not readable yet)
        throw err;
      }));
  return { verify: async (token) => (await load()).verify(token) };
});
