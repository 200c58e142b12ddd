// Keeps a balancer's endpoint set in step with a discovery resolution: the glue the outbound
// stack needs between discovery/ and balance/.
//
//   const r = discovery.resolve(authority);
//   const stop = followResolution(r, balancer);   // sets endpoints now and on every change
//   ...; stop(); r.release();

export interface EndpointSource<E> {
  readonly endpoints: ReadonlyMap<string, E>;
  on(event: 'change', listener: () => void): unknown;
  off(event: 'change', listener: () => void): unknown;
}

export interface EndpointSink<E> {
  setEndpoints(endpoints: Iterable<E>): void;
}

export function followResolution<E>(source: EndpointSource<E>, balancer: EndpointSink<E>): () => void {
  const update = (): void => balancer.setEndpoints(source.endpoints.values());
  update();
  source.on('change', update);
  return () => void source.off('change', update);
}
