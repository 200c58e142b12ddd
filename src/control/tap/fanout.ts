// Observe on every proxy of a resource at once, merged into one stream of TapEventJson. Bounds:
// at most `maxRps` new requests per second across the merge (the rest of a dropped request's
// events are dropped with it), as Linkerd's --max-rps; the consumer's `send` returning false
// (a slow reader) drops events rather than queueing them. Each proxy's failure is reported and
// the others go on.
import type { SecureContext } from 'node:tls';
import type { ObserveRequest } from '../../api/gen/io/linkerd/proxy/tap/ObserveRequest.js';
import type { TapEvent__Output } from '../../api/gen/io/linkerd/proxy/tap/TapEvent.js';
import type { PodInfo } from '../metrics/inventory.js';
import { tapEventJson, type TapEventJson } from './event-json.js';
import { observeProxy, type ObserveHandle } from './proxy-client.js';

export interface FanoutOptions {
  readonly pods: readonly PodInfo[];
  /** The pod's identity (spiffe://...), to check its certificate. */
  readonly identityOf: (p: PodInfo) => string;
  readonly tls: () => SecureContext;
  readonly request: ObserveRequest;
  readonly maxRps: number;
  readonly now?: () => number;
  /** False: the consumer is behind; the event was not taken. */
  readonly send: (e: TapEventJson) => boolean;
  readonly proxyError: (pod: PodInfo, message: string) => void;
  /** Every proxy stream has ended. */
  readonly done: () => void;
}

export interface Fanout {
  close(): void;
  readonly dropped: number;
}

export function fanout(o: FanoutOptions): Fanout {
  const now = o.now ?? Date.now;
  const handles: ObserveHandle[] = [];
  const skipped = new Set<string>();
  let windowStart = -Infinity;
  let inWindow = 0;
  let open = 0;
  let dropped = 0;
  let closed = false;

  const admit = (e: TapEventJson): boolean => {
    if (e.type === 'requestInit') {
      const t = now();
      if (t - windowStart >= 1000) {
        windowStart = t;
        inWindow = 0;
      }
      if (inWindow >= o.maxRps) {
        skipped.add(e.id);
        return false;
      }
      inWindow++;
      return true;
    }
    if (!skipped.has(e.id)) return true;
    if (e.type === 'responseEnd') skipped.delete(e.id);
    return false;
  };

  const ended = (): void => {
    if (--open === 0 && !closed) {
      closed = true;
      o.done();
    }
  };

  for (const pod of o.pods) {
    if (!pod.tapAddr) {
      o.proxyError(pod, 'no tap address (not meshed, or started by an older weft)');
      continue;
    }
    open++;
    const h = observeProxy({ addr: pod.tapAddr, identity: o.identityOf(pod) }, o.tls(), o.request);
    handles.push(h);
    h.stream.on('data', (ev: TapEvent__Output) => {
      const j = tapEventJson(pod, ev);
      if (!j || !admit(j)) return;
      if (!o.send(j)) dropped++;
    });
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      ended();
    };
    h.stream.on('error', (err: Error & { details?: string }) => {
      if (!closed) o.proxyError(pod, err.details || err.message);
      finish();
    });
    h.stream.on('end', finish);
  }
  if (open === 0) queueMicrotask(() => o.done());
  return {
    close() {
      closed = true;
      for (const h of handles) h.close();
    },
    get dropped() {
      return dropped;
    },
  };
}
