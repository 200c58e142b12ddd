// `weft viz tap` lines, in the shape of `linkerd viz tap`:
//   req id=web-0/1:0 proxy=out src=10.77.1.2:40112 dst=10.96.0.3:7081 tls=true :method=GET :authority=catalog:7081 :path=/books
//   rsp id=web-0/1:0 proxy=out src=… dst=… tls=true :status=200 latency=1843µs
//   end id=web-0/1:0 proxy=out src=… dst=… tls=true duration=96µs response-length=512B
import type { TapEventJson } from '../control/tap/event-json.js';

const GRPC_CODES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** The short id shown on a line: "<pod>/<stream>" (the base is the same for a whole proxy process). */
export function shortId(e: TapEventJson): string {
  const stream = e.id.slice(e.id.lastIndexOf(':') + 1);
  return `${e.pod}/${stream}`;
}

export function tapLine(e: TapEventJson): string {
  const head = `id=${shortId(e)} proxy=${e.direction === 'inbound' ? 'in ' : 'out'} src=${e.source || '-'} dst=${e.destination || '-'} tls=${e.tls}`;
  switch (e.type) {
    case 'requestInit':
      return `req ${head} :method=${e.method} :authority=${e.authority} :path=${e.path}`;
    case 'responseInit':
      return `rsp ${head} :status=${e.status} latency=${e.latencyUs}µs`;
    case 'responseEnd': {
      const tail = e.grpcStatus !== undefined ? ` grpc-status=${GRPC_CODES[e.grpcStatus] ?? e.grpcStatus}` : e.resetCode !== undefined ? ` reset-error=${e.resetCode}` : '';
      return `end ${head}${tail} duration=${e.durationUs}µs response-length=${e.responseBytes}B`;
    }
  }
}
