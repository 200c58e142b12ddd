// A gRPC server-streaming call on node:http2 with hand-rolled framing: light enough that 1000 of
// them in one process measure the server's fan-out, not this process decoding messages. Used by
// the destination and policy fan-out benchmarks.
import type { ChildProcessByStdio } from 'node:child_process';
import * as http2 from 'node:http2';
import type { Readable } from 'node:stream';

/** One watch stream over its own HTTP/2 connection; calls onMessage with each message's bytes. */
export function rawWatch(port: number, path: string, body: Buffer, onMessage: (msg: Buffer) => void): () => void {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => undefined);
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);
  stream.end(frame);
  let buf: Buffer = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      onMessage(buf.subarray(5, 5 + len));
      buf = buf.subarray(5 + len);
    }
  });
  return () => {
    stream.close();
    session.close();
  };
}

/** The port a `weft destination --listen …:0` child says it bound ("listening on port N"). */
export function listeningPort(proc: ChildProcessByStdio<null, Readable, null>): Promise<number> {
  return new Promise<number>((res, rej) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      const m = /listening on port (\d+)/.exec((out += d.toString()));
      if (m) res(Number(m[1]));
    });
    proc.once('exit', (c) => rej(new Error(`weft destination exited ${c}`)));
  });
}
