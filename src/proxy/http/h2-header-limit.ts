// The request header limits of HTTP/1 applied to HTTP/2 streams. nghttp2 advertises our
// SETTINGS_MAX_HEADER_LIST_SIZE but does not enforce it on what it receives (Node hands a 60 KB
// header block to the stream handler as it is); its own bound is 8 CONTINUATION frames after a
// HEADERS, ~144 KB. So the proxy measures the list itself, as RFC 9113 §6.5.2 counts it (name +
// value + 32 per field), and answers 431 instead of forwarding it.
import type { IncomingHttpHeaders } from 'node:http2';

export interface H2HeaderLimits {
  readonly maxHeaderBytes: number;
  readonly maxHeaderCount: number;
}

/** The limit the request's header list exceeds, or undefined when it is within both. */
export function h2HeaderLimitExceeded(headers: IncomingHttpHeaders, limits: H2HeaderLimits): 'bytes' | 'count' | undefined {
  let bytes = 0;
  let count = 0;
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      for (const one of v) bytes += name.length + one.length + 32;
      count += v.length;
    } else {
      bytes += name.length + String(v).length + 32;
      count++;
    }
  }
  if (bytes > limits.maxHeaderBytes) return 'bytes';
  // Pseudo-headers (:method, :path, ...) are not counted as fields, as in HTTP/1.
  for (const name in headers) if (name.startsWith(':')) count--;
  return count > limits.maxHeaderCount ? 'count' : undefined;
}
