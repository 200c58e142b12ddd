// grpc-message as the gRPC HTTP/2 spec encodes it: printable ASCII as is, '%' and anything else
// percent-encoded as UTF-8. Not encodeURIComponent: clients decode with the spec's rule (grpc-js
// with decodeURI), so an encoded '/' or ':' would reach the user as "%2F".
export function grpcMessage(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The text of a received grpc-message (the inverse of grpcMessage); a malformed one is shown as sent. */
export function grpcMessageText(v: unknown): string {
  const s = typeof v === 'string' ? v : '';
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
