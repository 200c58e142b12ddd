// Reaching the Kubernetes API: the kubeconfig (a file, $KUBECONFIG, ~/.kube/config or the
// in-cluster service account, in that order) read once at the edge, and the typed errors every
// caller of the API raises, so the CLI's rescue and the gRPC edge can tell "unreachable" from
// "refused" without parsing messages. Control plane and CLI only: the proxy never imports this.
import { KubeConfig } from '@kubernetes/client-node';
import { WeftError } from './errors.js';

/** The kubeconfig is missing or names no cluster. */
export class KubeConfigError extends WeftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_KUBECONFIG', message, options);
  }
}

/** The API server could not be reached (connection refused, TLS, DNS, timeout). */
export class KubeUnreachableError extends WeftError {
  constructor(readonly server: string, options?: { cause?: unknown }) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('WEFT_ERR_KUBE_UNREACHABLE', `cannot reach the Kubernetes API at ${server}${cause}`, options);
  }
}

/** The API server answered with an error status (403, 404, 409, 422, ...). */
export class KubeApiError extends WeftError {
  constructor(readonly status: number, readonly what: string, readonly reason: string, options?: { cause?: unknown }) {
    super('WEFT_ERR_KUBE_API', `${what}: ${status} ${reason}`, options);
  }
}

export interface KubeConfigOptions {
  /** A kubeconfig file; default: $KUBECONFIG, ~/.kube/config, then in-cluster. */
  readonly kubeconfig?: string | undefined;
  /** A context of that file other than its current one. */
  readonly context?: string | undefined;
}

export function loadKubeConfig(o: KubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
    else kc.loadFromDefault();
    if (o.context) kc.setCurrentContext(o.context);
  } catch (err) {
    throw new KubeConfigError(`cannot load kubeconfig${o.kubeconfig ? ` ${o.kubeconfig}` : ''}: ${(err as Error).message}`, { cause: err });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeConfigError('no Kubernetes cluster configured (set --kubeconfig or KUBECONFIG, or run inside a cluster)');
  }
  return kc;
}

export function serverOf(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? '(no server)';
}

function statusOf(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** The Status message the API server sent with an error, if any. */
function reasonOf(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.slice(0, 300);
    }
  }
  const msg = (parsed as { message?: unknown } | undefined)?.message;
  return typeof msg === 'string' ? msg : (err as Error).message?.split('\n')[0] ?? 'error';
}

/** Turns whatever the client library threw into KubeApiError or KubeUnreachableError. */
export function kubeError(err: unknown, what: string, kc: KubeConfig): KubeApiError | KubeUnreachableError {
  if (err instanceof KubeApiError || err instanceof KubeUnreachableError) return err;
  const status = statusOf(err);
  if (status !== undefined && status >= 100) return new KubeApiError(status, what, reasonOf(err), { cause: err });
  return new KubeUnreachableError(serverOf(kc), { cause: err });
}

/** Runs an API call, rethrowing its failure typed. */
export async function kubeCall<T>(kc: KubeConfig, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw kubeError(err, what, kc);
  }
}

/** True for a typed 404 (the object, or its kind, does not exist). */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError ? err.status === 404 : statusOf(err) === 404;
}
