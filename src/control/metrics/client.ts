// The CLI's side of the metrics API: one GET per command, its JSON answer, or its error as a
// WeftError with the code the API gave (so the CLI's one rescue prints it like its own).
import { WeftError } from '../../lib/errors.js';
import type { AuthzResult } from './authz.js';
import type { EdgesResult } from './edges.js';
import type { RoutesResult } from './routes.js';
import type { StatResult } from './stat.js';

export class MetricsApiUnavailableError extends WeftError {
  constructor(addr: string, why: string) {
    super('WEFT_ERR_METRICS_API_UNAVAILABLE', `the metrics API at ${addr} does not answer (${why}); it runs in the control plane: see \`weft ps\` and \`weft logs control\``);
  }
}

type Params = Readonly<Record<string, string | undefined>>;

async function get<T>(addr: string, path: string, params: Params, timeoutMs: number): Promise<T> {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  let res: Response;
  try {
    res = await fetch(`http://${addr}${path}?${q}`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new MetricsApiUnavailableError(addr, (err as { cause?: { code?: string; message?: string } }).cause?.code ?? (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).name);
  }
  const body = (await res.json().catch(() => undefined)) as (T & { error?: { code: string; message: string } }) | undefined;
  if (!body) throw new MetricsApiUnavailableError(addr, `HTTP ${res.status} without JSON`);
  if (!res.ok || body.error) throw new WeftError(body.error?.code ?? 'WEFT_ERR_INTERNAL', body.error?.message ?? `HTTP ${res.status}`);
  return body;
}

export class MetricsApiClient {
  constructor(readonly addr: string, private readonly timeoutMs = 30_000) {}

  stat(p: { resource: string; namespace?: string | undefined; window: string; from?: string | undefined; fromNamespace?: string | undefined; to?: string | undefined; toNamespace?: string | undefined; wide?: boolean }): Promise<StatResult> {
    return get(this.addr, '/api/v1/stat', {
      resource: p.resource, namespace: p.namespace, window: p.window, from: p.from, from_namespace: p.fromNamespace, to: p.to, to_namespace: p.toNamespace, wide: p.wide ? 'true' : undefined,
    }, this.timeoutMs);
  }

  edges(p: { resource: string; namespace?: string | undefined; window: string }): Promise<EdgesResult> {
    return get(this.addr, '/api/v1/edges', { resource: p.resource, namespace: p.namespace, window: p.window }, this.timeoutMs);
  }

  routes(p: { resource: string; namespace?: string | undefined; window: string; to?: string | undefined; toNamespace?: string | undefined }): Promise<RoutesResult> {
    return get(this.addr, '/api/v1/routes', { resource: p.resource, namespace: p.namespace, window: p.window, to: p.to, to_namespace: p.toNamespace }, this.timeoutMs);
  }

  authz(p: { resource: string; namespace?: string | undefined; window: string }): Promise<AuthzResult> {
    return get(this.addr, '/api/v1/authz', { resource: p.resource, namespace: p.namespace, window: p.window }, this.timeoutMs);
  }
}
