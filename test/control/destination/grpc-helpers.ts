// Test helpers: a real grpc-js Destination client and a stream reader that awaits messages.
import * as grpc from '@grpc/grpc-js';
import { loadProto } from '../../../src/api/load.js';
import type { ProtoGrpcType } from '../../../src/api/gen/destination.js';
import type { DestinationClient } from '../../../src/api/gen/io/linkerd/proxy/destination/Destination.js';

export function destinationClient(port: number): DestinationClient {
  const proto = loadProto('destination.proto') as unknown as ProtoGrpcType;
  return new proto.io.linkerd.proxy.destination.Destination(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

/** Buffers a server stream's messages; next() resolves with the next one (or rejects on error). */
export class StreamReader<T> {
  private readonly buf: T[] = [];
  private waiter: { resolve: (v: T) => void; reject: (e: Error) => void } | undefined;
  private error: Error | undefined;
  constructor(readonly call: grpc.ClientReadableStream<T>) {
    call.on('data', (m: T) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(m);
      } else this.buf.push(m);
    });
    call.on('error', (e: Error) => {
      this.error = e;
      this.waiter?.reject(e);
      this.waiter = undefined;
    });
  }

  next(timeoutMs = 3000): Promise<T> {
    const m = this.buf.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
  }

  get pending(): number {
    return this.buf.length;
  }
}

export function ipv4(n: number | undefined): string {
  const v = n ?? 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}
