// Fan-out: one topic per watched target (service port or IP:port) holds the current answer,
// computed once per store change, and the subscribers (gRPC streams) it is written to. Many
// proxies watching one service share one computation and one diff.
import type { Update } from '../../api/gen/io/linkerd/proxy/destination/Update.js';
import type { DestinationProfile } from '../../api/gen/io/linkerd/proxy/destination/DestinationProfile.js';
import type { EndpointSet } from './translate.js';

export type Sink<T> = (msg: T) => void;

/** The messages that take a client from `prev` to `next` (see destination.proto's contract). */
export function diffEndpoints(prev: EndpointSet, next: EndpointSet): Update[] {
  const out: Update[] = [];
  if (!next.exists) {
    if (prev.exists) out.push({ noEndpoints: { exists: false } });
    return out;
  }
  // Make before break: new endpoints first, so a client replacing a pod never sees fewer.
  const changed = [...next.addrs].filter(([k, a]) => JSON.stringify(prev.addrs.get(k)) !== JSON.stringify(a)).map(([, a]) => a);
  if (changed.length > 0) out.push({ add: { addrs: changed, metricLabels: next.setLabels } });
  const removed = [...prev.addrs.keys()].filter((k) => !next.addrs.has(k));
  if (removed.length > 0) out.push({ remove: { addrs: removed.flatMap((k) => prev.addrs.get(k)?.addr ?? []) } });
  if (!prev.exists && next.addrs.size === 0) out.push({ noEndpoints: { exists: true } });
  return out;
}

/** The first message of a subscription: never `no_endpoints` for a service that has endpoints. */
export function snapshot(set: EndpointSet): Update {
  if (!set.exists) return { noEndpoints: { exists: false } };
  if (set.addrs.size === 0) return { noEndpoints: { exists: true } };
  return { add: { addrs: [...set.addrs.values()], metricLabels: set.setLabels } };
}

export class EndpointTopic {
  readonly sinks = new Set<Sink<Update>>();
  constructor(
    private current: EndpointSet,
    private readonly compute: () => EndpointSet,
  ) {}

  subscribe(sink: Sink<Update>): void {
    this.sinks.add(sink);
    sink(snapshot(this.current));
  }

  refresh(): void {
    const next = this.compute();
    const updates = diffEndpoints(this.current, next);
    this.current = next;
    for (const u of updates) for (const s of this.sinks) s(u);
  }
}

export class ProfileTopic {
  readonly sinks = new Set<Sink<DestinationProfile | undefined>>();
  private json: string;
  constructor(
    private current: DestinationProfile | undefined,
    private readonly compute: () => DestinationProfile | undefined,
  ) {
    this.json = JSON.stringify(current);
  }

  get value(): DestinationProfile | undefined {
    return this.current;
  }

  subscribe(sink: Sink<DestinationProfile | undefined>): void {
    this.sinks.add(sink);
    sink(this.current);
  }

  refresh(): void {
    const next = this.compute();
    const json = JSON.stringify(next);
    if (json === this.json) return;
    this.current = next;
    this.json = json;
    for (const s of this.sinks) s(next);
  }
}
