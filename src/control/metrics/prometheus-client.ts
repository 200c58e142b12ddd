// The metrics API's view of Prometheus: instant queries over its HTTP API (/api/v1/query),
// each answered as samples with their labels. Prometheus down, or answering with an error, is
// a typed error whose message says what to do about it.
import { WeftError } from '../../lib/errors.js';

export class PrometheusUnavailableError extends WeftError {
  constructor(readonly url: string, why: string) {
    super('WEFT_ERR_PROMETHEUS_UNAVAILABLE',
      `Prometheus at ${url} does not answer (${why}). It runs with the mesh: see \`weft ps\` (component prometheus) and \`weft logs prometheus\`; ` +
      'the supervisor restarts it when it exits. A mesh started with --no-prometheus has none: `weft down`, then `weft up` without that flag.');
  }
}

export class PrometheusQueryError extends WeftError {
  constructor(readonly query: string, message: string) {
    super('WEFT_ERR_PROMETHEUS_QUERY', `Prometheus refused the query: ${message} (query: ${query})`);
  }
}

export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export class PrometheusClient {
  constructor(readonly url: string, private readonly timeoutMs = 10_000) {}

  /** An instant query (at `time`, seconds since the epoch, or now); NaN samples are left out. */
  async query(q: string, time?: number): Promise<PromSample[]> {
    const params = new URLSearchParams({ query: q, ...(time === undefined ? {} : { time: String(time) }) });
    let res: Response;
    try {
      res = await fetch(`${this.url}/api/v1/query`, {
        method: 'POST', body: params, signal: AbortSignal.timeout(this.timeoutMs),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause?.code ?? (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).name;
      throw new PrometheusUnavailableError(this.url, cause === 'TimeoutError' ? `no answer in ${this.timeoutMs} ms` : cause);
    }
    let body: QueryResponse;
    try {
      body = (await res.json()) as QueryResponse;
    } catch {
      throw new PrometheusUnavailableError(this.url, `HTTP ${res.status} without a JSON body`);
    }
    if (body.status !== 'success' || !body.data) throw new PrometheusQueryError(q, body.error ?? `HTTP ${res.status}`);
    if (body.data.resultType !== 'vector') throw new PrometheusQueryError(q, `expected an instant vector, got ${body.data.resultType}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) })).filter((s) => !Number.isNaN(s.value));
  }
}
