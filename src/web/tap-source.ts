// What the dashboard needs from tap: a stream of requests matching a filter, for as long as the
// page watches. The tap API itself lives elsewhere (the control plane's tap component); whoever
// starts the web server hands it a TapSource, or none — then the tap page says so plainly.
import { WeftError } from '../lib/errors.js';
import type { TapEventView } from './api-types.js';

export interface TapFilter {
  /** Only requests to or from this namespace (undefined: all). */
  readonly namespace?: string | undefined;
  /** e.g. deploy/web: requests this resource served or sent. */
  readonly resource?: string | undefined;
  readonly method?: string | undefined;
  /** A path prefix. */
  readonly path?: string | undefined;
}

export interface TapSource {
  /** Events until `signal` aborts; throws (a WeftError) when the filter is bad or tap is down. */
  tap(filter: TapFilter, signal: AbortSignal): AsyncIterable<TapEventView>;
}

export class TapUnavailableError extends WeftError {
  constructor() {
    super('WEFT_ERR_TAP_UNAVAILABLE', 'tap is not available in this build: no tap source is wired into the web component');
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);

/** The filter from the page's query string; bad values are errors, never silently dropped. */
export function parseTapFilter(p: URLSearchParams): TapFilter {
  const method = p.get('method')?.toUpperCase() || undefined;
  if (method !== undefined && !METHODS.has(method)) throw new WeftError('WEFT_ERR_CONFIG', `tap: unknown method "${p.get('method')}"`);
  const path = p.get('path') || undefined;
  if (path !== undefined && !path.startsWith('/')) throw new WeftError('WEFT_ERR_CONFIG', `tap: path "${path}" must start with /`);
  const resource = p.get('resource') || undefined;
  if (resource !== undefined && !/^[a-z]+\/[a-z0-9.-]+$/.test(resource)) throw new WeftError('WEFT_ERR_CONFIG', `tap: resource "${resource}" is not type/name (e.g. deploy/web)`);
  return { namespace: p.get('namespace') || undefined, resource, method, path };
}
