// The dashboard's tap: the control plane's tap API (src/control/tap/server.ts, NDJSON over HTTP)
// as a TapSource. One view per request, sent when its response starts (status and latency
// known) or, for a request reset before any response, when it ends.
import { ConfigError } from '../lib/errors.js';
import { tapStream } from '../control/tap/client.js';
import type { TapEventJson } from '../control/tap/event-json.js';
import type { TapEventView } from './api-types.js';
import type { TapFilter, TapSource } from './tap-source.js';

/** Requests waiting for their response, bounded: a tap of a busy mesh must not grow without end. */
const MAX_PENDING = 10_000;

function view(init: TapEventJson, end: TapEventJson | undefined): TapEventView {
  return {
    at: new Date().toISOString(),
    direction: init.direction === 'outbound' ? 'outbound' : 'inbound',
    source: init.sourceResource ?? init.source,
    destination: init.destinationResource ?? init.destination,
    method: init.method ?? '',
    authority: init.authority ?? '',
    path: init.path ?? '',
    status: end?.status ?? null,
    latencyMs: end?.latencyUs !== undefined ? end.latencyUs / 1000 : null,
    tls: init.tls,
  };
}

export function tapApiSource(addr: string): TapSource {
  return {
    async *tap(filter: TapFilter, signal: AbortSignal): AsyncIterable<TapEventView> {
      const resource = filter.resource ?? (filter.namespace ? `ns/${filter.namespace}` : undefined);
      if (!resource) throw new ConfigError('tap: choose a namespace or a resource (e.g. deploy/web)');
      const queue: TapEventView[] = [];
      const pending = new Map<string, TapEventJson>();
      let wake: (() => void) | undefined;
      const push = (v: TapEventView): void => {
        queue.push(v);
        wake?.();
      };
      const stream = tapStream(addr, { resource, namespace: filter.namespace, method: filter.method, path: filter.path }, {
        event(e) {
          if (e.type === 'requestInit') {
            if (pending.size < MAX_PENDING) pending.set(e.id, e);
            return;
          }
          const init = pending.get(e.id);
          if (!init) return;
          if (e.type === 'responseInit' || e.status === undefined) {
            pending.delete(e.id);
            push(view(init, e));
          }
        },
      });
      let ended = false;
      let failure: unknown;
      stream.done.then(() => (ended = true), (err: unknown) => ((failure = err), (ended = true))).finally(() => wake?.());
      const abort = (): void => stream.close();
      signal.addEventListener('abort', abort, { once: true });
      try {
        for (;;) {
          while (queue.length > 0) yield queue.shift() as TapEventView;
          if (failure !== undefined) throw failure;
          if (ended || signal.aborted) return;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      } finally {
        signal.removeEventListener('abort', abort);
        stream.close();
      }
    },
  };
}
