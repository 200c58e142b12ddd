// The meshed transport header. Right after the meshed TLS handshake the client proxy writes
// one header telling the inbound proxy where the connection is headed, because the inbound side
// only sees its own port 4143 and not the port the app dialled:
//
//   offset 0  4 bytes  magic "WFT1" (0x57 0x46 0x54 0x31)
//   offset 4  2 bytes  N, big-endian length of the body, 1..1024
//   offset 6  N bytes  UTF-8 JSON {"port": 1..65535, "protocol": "<token>", "name"?: "<authority>"}
//
// `protocol` is a lowercase token such as "opaque", "http1" or "http2"; `name` optionally
// carries the logical destination (e.g. the service authority). The application's bytes follow
// immediately. A reader gives up on a bad magic, an oversized or malformed body, or a timeout.
import type { Duplex } from 'node:stream';
import { TransportHeaderError } from './errors.js';

export interface TransportHeader {
  readonly port: number;
  readonly protocol: string;
  readonly name?: string;
}

export const TRANSPORT_HEADER_MAGIC = Buffer.from('WFT1', 'latin1');
export const MAX_TRANSPORT_HEADER_BODY = 1024;
export const DEFAULT_TRANSPORT_HEADER_TIMEOUT_MS = 10_000;
const PROTOCOL = /^[a-z0-9][a-z0-9._-]{0,31}$/;

function validate(h: unknown): TransportHeader {
  if (!h || typeof h !== 'object' || Array.isArray(h)) throw new TransportHeaderError('transport header body is not an object');
  const { port, protocol, name } = h as Record<string, unknown>;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TransportHeaderError('transport header port must be an integer 1..65535');
  }
  if (typeof protocol !== 'string' || !PROTOCOL.test(protocol)) {
    throw new TransportHeaderError('transport header protocol must be a lowercase token');
  }
  if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.length > 255)) {
    throw new TransportHeaderError('transport header name must be a string of 1..255 characters');
  }
  return Object.freeze(name === undefined ? { port, protocol } : { port, protocol, name });
}

export function encodeTransportHeader(h: TransportHeader): Buffer {
  const v = validate(h);
  const body = Buffer.from(JSON.stringify(v), 'utf8');
  if (body.length > MAX_TRANSPORT_HEADER_BODY) throw new TransportHeaderError('transport header too large');
  const head = Buffer.alloc(6);
  TRANSPORT_HEADER_MAGIC.copy(head, 0);
  head.writeUInt16BE(body.length, 4);
  return Buffer.concat([head, body]);
}

export function writeTransportHeader(socket: Duplex, h: TransportHeader): boolean {
  return socket.write(encodeTransportHeader(h));
}

/**
 * Decodes a header at the start of `buf`: the header and how many bytes it took, or undefined
 * when more bytes are needed. Throws TransportHeaderError on a bad magic, a body length outside
 * 1..maxBody, or a body that is not a valid header. Pure, so it can be fuzzed.
 */
export function decodeTransportHeader(buf: Buffer, maxBody = MAX_TRANSPORT_HEADER_BODY): { header: TransportHeader; size: number } | undefined {
  const magicSeen = Math.min(buf.length, 4);
  if (!buf.subarray(0, magicSeen).equals(TRANSPORT_HEADER_MAGIC.subarray(0, magicSeen))) throw new TransportHeaderError('transport header has a bad magic');
  if (buf.length < 6) return undefined;
  const n = buf.readUInt16BE(4);
  if (n === 0 || n > maxBody) throw new TransportHeaderError(`transport header body length ${n} is outside 1..${maxBody}`);
  if (buf.length < 6 + n) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(buf.subarray(6, 6 + n).toString('utf8'));
  } catch (err) {
    throw new TransportHeaderError('transport header body is not JSON', { cause: err });
  }
  return { header: validate(body), size: 6 + n };
}

/**
 * Reads one header from `socket` and leaves any following bytes unread (unshifted back), with
 * the socket paused. Rejects with TransportHeaderError (bad input, EOF, timeout).
 */
export function readTransportHeader(
  socket: Duplex,
  opts: { timeoutMs?: number; maxBodyBytes?: number } = {},
): Promise<TransportHeader> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TRANSPORT_HEADER_TIMEOUT_MS;
  const maxBody = Math.min(opts.maxBodyBytes ?? MAX_TRANSPORT_HEADER_BODY, 0xffff);
  return new Promise<TransportHeader>((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onEnd);
      socket.pause();
    };
    const fail = (err: TransportHeaderError) => {
      cleanup();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let got;
      try {
        got = decodeTransportHeader(buf, maxBody);
      } catch (err) {
        return fail(err instanceof TransportHeaderError ? err : new TransportHeaderError('transport header unreadable', { cause: err }));
      }
      if (!got) return;
      cleanup();
      const rest = buf.subarray(got.size);
      if (rest.length > 0) socket.unshift(rest);
      resolve(got.header);
    };
    const onEnd = () => fail(new TransportHeaderError('connection ended before the transport header'));
    const onError = (err: Error) => fail(new TransportHeaderError('connection failed before the transport header', { cause: err }));
    const timer = setTimeout(() => fail(new TransportHeaderError(`no transport header within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
  });
}
