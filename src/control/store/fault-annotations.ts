// Fault injection on a route (beyond Linkerd), written as annotations on the HTTPRoute or
// GRPCRoute, in the style of Linkerd's retry.linkerd.io/* and timeout.linkerd.io/* route
// annotations:
//   fault.weft.io/abort-status: "503"      HTTP status (HTTPRoute) or gRPC code (GRPCRoute)
//   fault.weft.io/abort-percent: "10"      of the route's requests (default 100; decimals allowed)
//   fault.weft.io/abort-message: "..."     body / grpc-message of the injected failure
//   fault.weft.io/delay: "250ms"           hold requests this long before they go on
//   fault.weft.io/delay-percent: "50"      of the route's requests (default 100)
// Validated when the route is applied (a bad value names its annotation); the control plane
// encodes aborts as Linkerd's HttpFailureInjector/GrpcFailureInjector and delays as weft's
// HttpFailureDelay extension (http_route.proto).
import { FieldError, duration } from './fields.js';

export const FAULT_PREFIX = 'fault.weft.io/';
const KEYS = ['abort-status', 'abort-percent', 'abort-message', 'delay', 'delay-percent'] as const;

/** A share of requests as a ratio (percent with up to 4 decimals, over 1,000,000). */
export interface FaultRatio {
  readonly numerator: number;
  readonly denominator: number;
}

export interface FaultSpec {
  readonly abort: { readonly status: number; readonly message: string; readonly ratio: FaultRatio } | undefined;
  readonly delay: { readonly ms: number; readonly ratio: FaultRatio } | undefined;
}

const path = (key: string): string => `metadata.annotations["${FAULT_PREFIX}${key}"]`;

function percent(v: string | undefined, key: string): FaultRatio {
  if (v === undefined) return { numerator: 1, denominator: 1 };
  const n = Number(v.trim().replace(/%$/, ''));
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new FieldError(path(key), `expected a percentage from 0 to 100, got "${v}"`);
  return { numerator: Math.round(n * 10_000), denominator: 1_000_000 };
}

/** The route's fault injection, or undefined when it has none. Throws FieldError on a bad value. */
export function parseFault(ann: Readonly<Record<string, string>>, grpc: boolean): FaultSpec | undefined {
  const get = (k: (typeof KEYS)[number]): string | undefined => ann[FAULT_PREFIX + k];
  for (const k of Object.keys(ann)) {
    if (k.startsWith(FAULT_PREFIX) && !(KEYS as readonly string[]).includes(k.slice(FAULT_PREFIX.length))) {
      throw new FieldError(`metadata.annotations["${k}"]`, `unknown fault annotation (expected one of ${KEYS.map((x) => FAULT_PREFIX + x).join(', ')})`);
    }
  }
  let abort: FaultSpec['abort'];
  const status = get('abort-status');
  if (status !== undefined) {
    const n = Number(status);
    const ok = grpc ? Number.isInteger(n) && n >= 1 && n <= 16 : Number.isInteger(n) && n >= 100 && n <= 599;
    if (!ok) throw new FieldError(path('abort-status'), grpc ? `expected a gRPC status code 1..16, got "${status}"` : `expected an HTTP status 100..599, got "${status}"`);
    abort = { status: n, message: get('abort-message') ?? '', ratio: percent(get('abort-percent'), 'abort-percent') };
  } else if (get('abort-percent') !== undefined || get('abort-message') !== undefined) {
    throw new FieldError(path('abort-status'), 'abort-percent/abort-message need an abort-status');
  }
  let delay: FaultSpec['delay'];
  const d = get('delay');
  if (d !== undefined) delay = { ms: duration(d, path('delay')), ratio: percent(get('delay-percent'), 'delay-percent') };
  else if (get('delay-percent') !== undefined) throw new FieldError(path('delay'), 'delay-percent needs a delay');
  return abort || delay ? { abort, delay } : undefined;
}
