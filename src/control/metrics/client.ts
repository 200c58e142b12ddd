// The CLI's side of the metrics API: one GET per command, its JSON answer, or its error as a
// WeftError with the code the API gave (so the CLI's one rescue prints it like its own). On a
// cluster the API is reached through the API server's service proxy (`via`: a base URL and the
// kubeconfig's TLS options and credentials: runtime/kubernetes/viz/metrics-api.ts).
import https from 'node:https';
import { WeftError } from '../../lib/errors.js';
import type { AuthzResult } from './authz.js';
import type { EdgesResult } from './edges.js';
import type { RoutesResult } from './routes.js';
import type { StatResult } from './stat.js';

export class MetricsApiUnavailableError extends WeftError {
  constructor(addr: string, why: string, hint = 'it runs in the control plane: see `weft ps` and `weft logs control`') {
    super('WEFT_ERR_METRICS_API_UNAVAILABLE', `the metrics API at ${addr} does not answer (${why}); ${hint}`);
  }
}

type Params = Readonly<Record<string, string | undefined>>;

/** Where the metrics API is when not at a plain host:port (the API server's service proxy). */
export interface MetricsApiVia {
  readonly base: string;
  readonly options: https.RequestOptions;
  /** What to do when it does not answer. */
  readonly hint: string;
}

type ErrorBody = { error?: { code: string; message: string }; kind?: string; message?: string };

/** One GET over https with the given options: status and body text. */
function httpsGet(url: string, options: https.RequestOptions, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...options, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'TimeoutError' })));
    req.on('error', reject);
  });
}

async function get<T>(addr: string, path: string, params: Params, timeoutMs: number, via?: MetricsApiVia): Promise<T> {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  let status: number;
  let text: string;
  try {
    if (via) ({ status, text } = await httpsGet(`${via.base}${path}?${q}`, via.options, timeoutMs));
    else {
      const res = await fetch(`http://${addr}${path}?${q}`, { signal: AbortSignal.timeout(timeoutMs) });
      status = res.status;
      text = await res.text();
    }
  } catch (err) {
    throw new MetricsApiUnavailableError(addr, (err as { cause?: { code?: string; message?: string } }).cause?.code ?? (err as { code?: string }).code ?? (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).name, via?.hint);
  }
  let body: (T & ErrorBody) | undefined;
  try {
    body = JSON.parse(text) as T & ErrorBody;
  } catch {
    body = undefined;
  }
  if (!body) throw new MetricsApiUnavailableError(addr, `HTTP ${status} without JSON`, via?.hint);
  // The API server's own refusal (no endpoints, forbidden) is a Kubernetes Status, not ours.
  if (body.kind === 'Status' && !body.error) throw new MetricsApiUnavailableError(addr, `HTTP ${status}: ${body.message ?? 'refused by the API server'}`, via?.hint);
  if (status < 200 || status > 299 || body.error) throw new WeftError(body.error?.code ?? 'WEFT_ERR_INTERNAL', body.error?.message ?? `HTTP ${status}`);
  return body;
}

export class MetricsApiClient {
  constructor(readonly addr: string, private readonly timeoutMs = 30_000, private readonly via?: MetricsApiVia) {}

  stat(p: { resource: string; namespace?: string | undefined; window: string; from?: string | undefined; fromNamespace?: string | undefined; to?: string | undefined; toNamespace?: string | undefined; wide?: boolean }): Promise<StatResult> {
    return get(this.addr, '/api/v1/stat', {
      resource: p.resource, namespace: p.namespace, window: p.window, from: p.from, from_namespace: p.fromNamespace, to: p.to, to_namespace: p.toNamespace, wide: p.wide ? 'true' : undefined,
    }, this.timeoutMs, this.via);
  }

  edges(p: { resource: string; namespace?: string | undefined; window: string }): Promise<EdgesResult> {
    return get(this.addr, '/api/v1/edges', { resource: p.resource, namespace: p.namespace, window: p.window }, this.timeoutMs, this.via);
  }

  routes(p: { resource: string; namespace?: string | undefined; window: string; to?: string | undefined; toNamespace?: string | undefined }): Promise<RoutesResult> {
    return get(this.addr, '/api/v1/routes', { resource: p.resource, namespace: p.namespace, window: p.window, to: p.to, to_namespace: p.toNamespace }, this.timeoutMs, this.via);
  }

  authz(p: { resource: string; namespace?: string | undefined; window: string }): Promise<AuthzResult> {
    return get(this.addr, '/api/v1/authz', { resource: p.resource, namespace: p.namespace, window: p.window }, this.timeoutMs, this.via);
  }
}
