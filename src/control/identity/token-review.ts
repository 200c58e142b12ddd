// The `kubernetes` token verifier: a proxy presents its projected service-account token
// (audience identity.weft.io, mounted by the injector); the API server checks it with a
// TokenReview — signature, expiry, audience, and that the pod or secret it is bound to still
// exists — and says whose it is: system:serviceaccount:<ns>:<sa>. That names the identity.
import { AuthenticationV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeCall, loadKubeConfig } from '../../lib/kube.js';
import type { WorkloadId } from '../../lib/spiffe.js';
import { workloadId } from '../../lib/spiffe.js';
import { TokenInvalidError } from './errors.js';
import type { TokenVerifier } from './tokens.js';

/** Service-account JWTs are ~1 KB; anything far bigger is not one. */
export const MAX_TOKEN_BYTES = 16 * 1024;
const SA_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

export interface TokenReviewOptions {
  readonly kubeconfig?: KubeConfig | string | undefined;
  /** The audience tokens must have been minted for. */
  readonly audience: string;
  readonly trustDomain: string;
}

export class TokenReviewVerifier implements TokenVerifier {
  private readonly kc: KubeConfig;
  private readonly api: AuthenticationV1Api;
  constructor(private readonly opts: TokenReviewOptions) {
    this.kc = typeof opts.kubeconfig === 'object' ? opts.kubeconfig : loadKubeConfig({ kubeconfig: opts.kubeconfig });
    this.api = this.kc.makeApiClient(AuthenticationV1Api);
  }

  async verify(token: Buffer): Promise<WorkloadId> {
    if (token.length === 0) throw new TokenInvalidError('no token');
    if (token.length > MAX_TOKEN_BYTES) throw new TokenInvalidError(`token is larger than ${MAX_TOKEN_BYTES} bytes`);
    const review = await kubeCall(this.kc, 'create TokenReview', () =>
      this.api.createTokenReview({
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: token.toString('utf8').trim(), audiences: [this.opts.audience] } },
      }),
    );
    const status = review.status;
    if (!status?.authenticated) {
      throw new TokenInvalidError(`the Kubernetes API did not accept the token${status?.error ? `: ${status.error}` : ''}`);
    }
    // An API server that ignores audiences answers without them; one that checks lists ours.
    if (status.audiences && !status.audiences.includes(this.opts.audience)) {
      throw new TokenInvalidError(`token is not for audience ${this.opts.audience} (it is for ${status.audiences.join(', ')})`);
    }
    const m = SA_USER.exec(status.user?.username ?? '');
    if (!m) throw new TokenInvalidError(`token belongs to ${status.user?.username ?? 'nobody'}, not a service account`);
    try {
      return workloadId(m[1] as string, m[2] as string, this.opts.trustDomain);
    } catch (err) {
      throw new TokenInvalidError('token names a service account weft cannot use as an identity', { cause: err });
    }
  }
}
