// The gRPC row: a unary call with an empty message, as h2load and the constant-rate generator
// send it, answered by the nginx backend with an empty message and grpc-status 0 in trailers
// (a real @grpc/grpc-js client accepts that reply). Proxies see real gRPC framing: POST,
// application/grpc, TE: trailers, a body, and trailers in the response.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GRPC_PATH = '/weft.bench.Bench/Ping';

/** Length-prefixed message framing: compressed flag 0, length 0, no payload. */
export const GRPC_EMPTY_FRAME = Buffer.alloc(5);

export const GRPC_REQUEST_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/grpc',
  te: 'trailers',
});

export const GRPC_REPLY_FILE = 'grpc-empty-frame.bin';

/** Writes the framed empty message (for h2load -d and the backend's reply) and returns its path. */
export function writeGrpcFrame(dir: string): string {
  const path = join(dir, GRPC_REPLY_FILE);
  writeFileSync(path, GRPC_EMPTY_FRAME);
  return path;
}
