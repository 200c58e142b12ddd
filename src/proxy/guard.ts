// The proxy's last line of defence against its own bugs. A sidecar that one client can kill
// takes every connection of its pod down with it, so an exception in one connection's handling
// must end that connection only:
//   - at each entry point (a connection accepted, an HTTP/1 request, an HTTP/2 stream, an
//     Upgrade/CONNECT) the handler runs inside `guard.run()`, which on a throw closes that
//     connection or stream and counts it;
//   - an exception thrown later, from an event callback, reaches the process-level handler
//     (`installProcessGuard`, the `weft proxy` process only): it is counted and logged, and
//     the proxy keeps serving (/live stays true).
// Every caught fault is counted in `proxy_internal_errors_total{where, cause}` and logged once
// per distinct cause (error name, code and the frame that threw), never once per event: a
// flood of one bug would otherwise turn into a flood of log lines.
import type { Logger } from '../lib/log.js';
import { Counter } from './metrics/prom.js';
import type { ProxyMetrics } from './metrics/registry.js';

/** Where a fault was caught (a label value). */
export type FaultSite = 'accept' | 'h1_request' | 'h1_upgrade' | 'h2_stream' | 'h2_session' | 'process';

interface Destroyable {
  destroy(): unknown;
}

/** Distinct causes remembered for log de-duplication (and as label values); beyond: "other". */
const MAX_CAUSES = 64;

export class FaultGuard {
  private readonly counter: Counter;
  private readonly seen = new Set<string>();

  constructor(
    metrics: ProxyMetrics,
    private readonly log: Logger,
  ) {
    this.counter = metrics.register(
      new Counter('proxy_internal_errors_total', 'Exceptions caught in the proxy (the connection or stream was closed; the proxy kept running)', ['where', 'cause']),
    );
  }

  /** Runs `fn`; if it throws, records the fault and calls `close` (which must not throw). */
  run(where: FaultSite, fn: () => void, close: (err: unknown) => void): void {
    try {
      fn();
    } catch (err) {
      this.caught(where, err);
      try {
        close(err);
      } catch (closeErr) {
        this.caught(where, closeErr);
      }
    }
  }

  /** `handler` guarded: a throw destroys the socket it was given (its first argument). */
  socketHandler<S extends Destroyable, A extends unknown[]>(where: FaultSite, handler: (socket: S, ...rest: A) => void): (socket: S, ...rest: A) => void {
    return (socket, ...rest) => this.run(where, () => handler(socket, ...rest), () => socket.destroy());
  }

  /** Each handler of a set guarded as by `socketHandler` (e.g. the detect layer's handlers). */
  socketHandlers<S extends Destroyable, A extends unknown[], K extends string>(where: FaultSite, handlers: Record<K, (socket: S, ...rest: A) => void>): Record<K, (socket: S, ...rest: A) => void> {
    const out = {} as Record<K, (socket: S, ...rest: A) => void>;
    for (const k of Object.keys(handlers) as K[]) out[k] = this.socketHandler(where, handlers[k]);
    return out;
  }

  /** Counts a fault and logs it the first time its cause is seen. */
  caught(where: FaultSite, err: unknown): void {
    const key = causeOf(err);
    const known = this.seen.has(key);
    const cause = known || this.seen.size < MAX_CAUSES ? key : 'other';
    this.counter.inc({ where, cause });
    if (known || cause === 'other') return;
    this.seen.add(key);
    this.log.error('internal error: the connection was closed, the proxy keeps running (logged once per cause)', {
      where,
      cause: key,
      err: err instanceof Error ? err : String(err),
      stack: err instanceof Error ? (err.stack ?? '').split('\n').slice(1, 6).map((l) => l.trim()).join(' | ') : '',
    });
  }
}

/** A short, stable name for what went wrong: `TypeError@file.js:43` or `ERR_X@file.js:10`. */
export function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  const code = (err as { code?: unknown }).code;
  const kind = typeof code === 'string' ? code : err.name;
  const frame = (err.stack ?? '').split('\n').find((l) => l.trimStart().startsWith('at '));
  const where = frame?.match(/([^/\\( ]+\.[cm]?[jt]s):(\d+)/);
  return where ? `${kind}@${where[1]}:${where[2]}` : kind;
}

/**
 * Keeps the process alive through exceptions nobody caught (counted, logged once per cause).
 * For the `weft proxy` process only: a library or test must not take over these events.
 */
export function installProcessGuard(guard: FaultGuard): void {
  process.on('uncaughtException', (err) => guard.caught('process', err));
  process.on('unhandledRejection', (reason) => guard.caught('process', reason));
}
