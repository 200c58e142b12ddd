// `weft identity show`: fetch a proxy's certificate summary from its admin server
// (GET /identity.json, served from IdentityClient.identitySnapshot()) and describe it.
import { WeftError } from '../../lib/errors.js';

export interface ShownIdentity {
  readonly identity: string;
  readonly notAfter: string;
  readonly serialNumber: string;
  readonly pem?: string;
}

export class AdminFetchError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_ADMIN_FETCH', message, options);
  }
}

export async function fetchIdentitySnapshot(admin: string, timeoutMs = 5000): Promise<ShownIdentity | undefined> {
  const url = `http://${admin}/identity.json`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new AdminFetchError(`cannot reach ${url}: ${(err as Error).message}`, { cause: err });
  }
  // 404/503: the proxy has no certificate yet (or identity is disabled).
  if (res.status === 404 || res.status === 503) return undefined;
  if (!res.ok) throw new AdminFetchError(`${url} answered ${res.status}`);
  const body = (await res.json()) as Partial<ShownIdentity> | null;
  if (!body || typeof body.identity !== 'string' || typeof body.notAfter !== 'string') return undefined;
  return { identity: body.identity, notAfter: body.notAfter, serialNumber: String(body.serialNumber ?? '') };
}

/** Human-readable lines for the CLI. */
export function describeIdentity(s: ShownIdentity | undefined, now: number): string {
  if (!s) return 'no identity certificate (not ready, or identity disabled)';
  const left = Math.round((Date.parse(s.notAfter) - now) / 1000);
  const when = left >= 0 ? `expires in ${formatSeconds(left)}` : `EXPIRED ${formatSeconds(-left)} ago`;
  return [`identity:  ${s.identity}`, `notAfter:  ${s.notAfter} (${when})`, `serial:    ${s.serialNumber}`].join('\n');
}

function formatSeconds(s: number): string {
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 360) / 10}h`;
}
