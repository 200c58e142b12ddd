// The detect layer: peek at the first bytes of a new connection (up to peekLimit(): 1 KiB, or a
// whole ClientHello record), classify them, put the bytes back (unshift) and hand the socket to
// the handler for that protocol. A client that sends nothing (server-speaks-first protocols) or
// something unrecognised is proxied as opaque TCP once the detect timeout fires; a stalled
// prefix that can only start an HTTP request goes to HTTP/1 (classifyStalled): detection never
// fails a connection itself.
import type { Socket } from 'node:net';
import { classify, classifyStalled, peekLimit, type Protocol } from './protocol.js';

/**
 * Each handler gets the socket (paused, bytes put back) and the bytes that were peeked. When
 * the client half-closed before detection could decide (`ended`), the connection is opaque and
 * the bytes are NOT put back (a stream cannot take data back after its end): the handler must
 * send `peek` itself.
 */
export type ProtocolHandlers = Record<Protocol, (socket: Socket, peek: Buffer, ended?: boolean) => void>;

export interface DetectOptions {
  readonly timeoutMs: number;
  /** When true the connection is opaque by configuration: no bytes are awaited. */
  readonly skip: boolean;
}

export function detectProtocol(socket: Socket, opts: DetectOptions, handlers: ProtocolHandlers): void {
  if (opts.skip) {
    handlers.opaque(socket, Buffer.alloc(0));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;

  const finish = (proto: Protocol, ended = false): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onError);
    socket.off('close', onClose);
    socket.pause();
    const bytes = peeked();
    if (size > 0 && !ended) socket.unshift(bytes);
    handlers[proto](socket, bytes, ended);
  };

  const peeked = (): Buffer => (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    size += chunk.length;
    const all = peeked();
    chunks.length = 0;
    chunks.push(all);
    const limit = peekLimit(all);
    const d = classify(size > limit ? all.subarray(0, limit) : all);
    if (d !== 'need-more') finish(d);
    else if (size >= limit) finish('opaque');
  };
  // The client half-closed before we could tell: whatever it sent goes through opaquely.
  const onEnd = (): void => finish('opaque', true);
  const onError = (): void => {
    done = true;
    clearTimeout(timer);
    socket.destroy();
  };
  const onClose = (): void => {
    done = true;
    clearTimeout(timer);
  };
  const timer = setTimeout(() => finish(classifyStalled(peeked())), opts.timeoutMs);
  timer.unref();

  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('error', onError);
  socket.once('close', onClose);
}
