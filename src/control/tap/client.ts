// The CLI's side of the tap API: one streaming GET; each NDJSON line is handed over as it
// arrives. Errors before the stream starts come back as WeftErrors with the API's code.
import http from 'node:http';
import https from 'node:https';
import { WeftError } from '../../lib/errors.js';
import type { TapEventJson } from './event-json.js';

export class TapApiUnavailableError extends WeftError {
  constructor(addr: string, why: string) {
    super('WEFT_ERR_TAP_API_UNAVAILABLE', `the tap API at ${addr} does not answer (${why}); it runs in the control plane: see \`weft ps\` and \`weft logs control\``);
  }
}

export interface TapQuery {
  readonly resource: string;
  readonly namespace?: string | undefined;
  readonly to?: string | undefined;
  readonly toNamespace?: string | undefined;
  readonly method?: string | undefined;
  readonly path?: string | undefined;
  readonly authority?: string | undefined;
  readonly maxRps?: number | undefined;
  readonly headers?: boolean | undefined;
}

export interface TapHandlers {
  started?(pods: readonly string[]): void;
  event(e: TapEventJson): void;
  proxyError?(pod: string, message: string): void;
}

export interface TapStream {
  /** Resolves when the API ends the stream (every proxy's tap ended) or close() is called. */
  readonly done: Promise<void>;
  close(): void;
}

/**
 * Where the tap API is, when not at a plain host:port: a base URL and the options to reach it
 * (on a cluster, the API server's proxy to the weft-tap Service, with the kubeconfig's
 * credentials: src/runtime/kubernetes/tap-api.ts).
 */
export interface TapApiVia {
  readonly base: string;
  readonly options: https.RequestOptions;
}

export function tapStream(addr: string, q: TapQuery, h: TapHandlers, via?: TapApiVia): TapStream {
  const params = new URLSearchParams();
  const add = (k: string, v: string | number | boolean | undefined): void => {
    if (v !== undefined && v !== '' && v !== false) params.set(k, String(v));
  };
  add('resource', q.resource); add('namespace', q.namespace); add('to', q.to); add('to_namespace', q.toNamespace);
  add('method', q.method); add('path', q.path); add('authority', q.authority); add('max_rps', q.maxRps); add('headers', q.headers);
  let req: http.ClientRequest | undefined;
  let closed = false;
  const done = new Promise<void>((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      res.setEncoding('utf8');
      let buf = '';
      if (res.statusCode !== 200) {
        res.on('data', (c: string) => (buf += c));
        res.on('end', () => {
          let err: { code?: string; message?: string } | undefined;
          try {
            err = (JSON.parse(buf) as { error?: { code: string; message: string } }).error;
          } catch {
            err = undefined;
          }
          reject(new WeftError(err?.code ?? 'WEFT_ERR_INTERNAL', err?.message ?? `tap API: HTTP ${res.statusCode}`));
        });
        return;
      }
      res.on('data', (c: string) => {
        buf += c;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const m = JSON.parse(line) as { started?: { pods: string[] }; event?: TapEventJson; proxyError?: { pod: string; message: string } };
          if (m.event) h.event(m.event);
          else if (m.started) h.started?.(m.started.pods);
          else if (m.proxyError) h.proxyError?.(m.proxyError.pod, m.proxyError.message);
        }
      });
      res.on('end', () => resolve());
      res.on('close', () => resolve());
    };
    req = via ? https.get(`${via.base}/api/v1/tap?${params}`, via.options, onResponse) : http.get(`http://${addr}/api/v1/tap?${params}`, onResponse);
    req.on('error', (err: NodeJS.ErrnoException) => (closed ? resolve() : reject(new TapApiUnavailableError(addr, err.code ?? err.message))));
  });
  return {
    done,
    close() {
      closed = true;
      req?.destroy();
    },
  };
}
