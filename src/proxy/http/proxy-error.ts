// The one rescue at the HTTP boundary: maps a failure's cause to the response the proxy sends
// itself, and names why in the `weft-proxy-error` header (like Linkerd's l5d-proxy-error).
import { errorCode } from '../../lib/errors.js';

export const PROXY_ERROR_HEADER = 'weft-proxy-error';

export interface ErrorResponse {
  readonly status: number;
  readonly reason: string;
  /** gRPC status for gRPC requests (UNAVAILABLE, DEADLINE_EXCEEDED, ...). */
  readonly grpcStatus: number;
}

export function errorResponse(err: unknown): ErrorResponse {
  const code = errorCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'WEFT_ERR_TIMEOUT':
      return { status: 504, reason: `timeout: ${msg}`, grpcStatus: 4 };
    case 'WEFT_ERR_HEADER_TOO_LARGE':
      return { status: 431, reason: msg, grpcStatus: 8 };
    case 'WEFT_ERR_NO_ENDPOINTS':
      return { status: 503, reason: msg, grpcStatus: 14 };
    case 'WEFT_ERR_NO_DESTINATION':
      return { status: 502, reason: msg, grpcStatus: 14 };
    case 'WEFT_ERR_UPSTREAM_CONNECT': {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return { status: 502, reason: `${msg}${cause}`, grpcStatus: 14 };
    }
    default:
      if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_HTTP2_STREAM_ERROR') {
        return { status: 502, reason: `upstream connection failed: ${msg}`, grpcStatus: 14 };
      }
      return { status: 502, reason: `proxy error: ${msg}`, grpcStatus: 14 };
  }
}

/** Header values must be single-line latin1; keep the reason readable but safe. */
export function headerSafe(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, ' ').slice(0, 256);
}
