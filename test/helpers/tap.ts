// Test helpers for tap: collect a tap stream's events until it ends (or fails), and wait for a
// proxy to count an open tap before sending traffic.
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import type { ProxyHandle } from '../../src/proxy/proxy.js';
import { metricValue } from './proxy.js';

export interface Collected<T> {
  readonly events: T[];
  /** Resolves when the stream ends: with the error, or undefined for a clean end. */
  readonly done: Promise<ServiceError | undefined>;
}

export function collect<T>(stream: ClientReadableStream<T>): Collected<T> {
  const events: T[] = [];
  stream.on('data', (e: T) => events.push(e));
  const done = new Promise<ServiceError | undefined>((resolve) => {
    stream.on('error', (err: ServiceError) => resolve(err));
    stream.on('end', () => resolve(undefined));
  });
  return { events, done };
}

/** Waits until the proxy reports `n` open tap streams. */
export async function waitTaps(p: ProxyHandle, n: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await metricValue(p, 'tap_active_streams')) !== n) {
    if (Date.now() > deadline) throw new Error(`proxy did not reach ${n} open taps`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
