// Power of two random choices: pick two distinct candidates at random and take the one with the
// lower load. Nearly as good as scanning for the least loaded, without herding every proxy onto
// the same "best" endpoint.
import { WeftError } from '../../lib/errors.js';
import type { Rng } from './exp-backoff.js';

/** No endpoint can take the request (none discovered, or all ejected): fail fast. */
export class NoEndpointsError extends WeftError {
  constructor(readonly target: string, readonly pending: number) {
    super('WEFT_ERR_NO_ENDPOINTS', `no ready endpoints for ${target}${pending ? ` (${pending} pending)` : ''}`);
  }
}

export function p2c<T>(candidates: readonly T[], load: (c: T) => number, rng: Rng): T | undefined {
  const n = candidates.length;
  if (n <= 1) return candidates[0];
  const i = Math.floor(rng() * n);
  // A second index drawn from the other n-1, so the two choices are always distinct.
  let j = Math.floor(rng() * (n - 1));
  if (j >= i) j++;
  const a = candidates[i] as T;
  const b = candidates[j] as T;
  return load(b) < load(a) ? b : a;
}
