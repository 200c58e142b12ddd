// Trace context on the wire: W3C `traceparent`/`tracestate` (https://www.w3.org/TR/trace-context/)
// and Zipkin's b3 (the single `b3` header, or X-B3-*), read from a request and written back with
// this proxy's span as the parent. Invalid values are ignored as the specs say (the request then
// starts a new trace, or none), never rejected: tracing must not break traffic.

export interface TraceContext {
  /** 32 lowercase hex digits (a 64-bit b3 id is left-padded with zeros). */
  readonly traceId: string;
  /** 16 lowercase hex digits: the caller's span. */
  readonly spanId: string;
  readonly sampled: boolean;
  /** W3C tracestate, passed on unchanged. */
  readonly tracestate?: string | undefined;
  /** Which b3 form the request carried, so it is answered in the same form. */
  readonly b3?: 'single' | 'multi' | undefined;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

type Get = (name: string) => string | undefined;
type Set = (name: string, value: string) => void;

function traceparent(v: string): TraceContext | undefined {
  // version 00: 00-<trace-id>-<parent-id>-<flags>; later versions may append fields.
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/.exec(v.trim());
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return undefined;
  const [traceId, spanId] = [m[2] as string, m[3] as string];
  if (traceId === ZERO32 || spanId === ZERO16) return undefined;
  return { traceId, spanId, sampled: (parseInt(m[4] as string, 16) & 1) === 1 };
}

const pad = (id: string): string => (id.length === 16 ? ZERO16 + id : id);
const validTrace = (id: string | undefined): id is string => !!id && (HEX32.test(id) || HEX16.test(id)) && pad(id) !== ZERO32;
const validSpan = (id: string | undefined): id is string => !!id && HEX16.test(id) && id !== ZERO16;

function b3Single(v: string): TraceContext | undefined {
  // {TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}; a lone sampling state carries no context.
  const [traceId, spanId, state] = v.trim().toLowerCase().split('-');
  if (!validTrace(traceId) || !validSpan(spanId)) return undefined;
  return { traceId: pad(traceId), spanId, sampled: state === '1' || state === 'd', b3: 'single' };
}

function b3Multi(get: Get): TraceContext | undefined {
  const traceId = get('x-b3-traceid')?.trim().toLowerCase();
  const spanId = get('x-b3-spanid')?.trim().toLowerCase();
  if (!validTrace(traceId) || !validSpan(spanId)) return undefined;
  const sampled = get('x-b3-sampled')?.trim().toLowerCase();
  return { traceId: pad(traceId), spanId, sampled: sampled === '1' || sampled === 'true' || get('x-b3-flags')?.trim() === '1', b3: 'multi' };
}

/** The caller's trace context: traceparent first (W3C is what OpenTelemetry sends), then b3. */
export function extract(get: Get): TraceContext | undefined {
  const tp = get('traceparent');
  const w3c = tp ? traceparent(tp) : undefined;
  if (w3c) {
    const tracestate = get('tracestate');
    const b3 = get('b3') !== undefined ? 'single' as const : get('x-b3-traceid') !== undefined ? 'multi' as const : undefined;
    return { ...w3c, ...(tracestate ? { tracestate } : {}), ...(b3 ? { b3 } : {}) };
  }
  const single = get('b3');
  return single !== undefined ? b3Single(single) : b3Multi(get);
}

/** Writes the context onward with `spanId` (this proxy's span) as the parent. */
export function inject(set: Set, ctx: TraceContext, spanId: string, parentSpanId?: string): void {
  set('traceparent', `00-${ctx.traceId}-${spanId}-${ctx.sampled ? '01' : '00'}`);
  if (ctx.tracestate) set('tracestate', ctx.tracestate);
  if (ctx.b3 === 'single') set('b3', `${ctx.traceId}-${spanId}-${ctx.sampled ? '1' : '0'}${parentSpanId ? `-${parentSpanId}` : ''}`);
  if (ctx.b3 === 'multi') {
    set('x-b3-traceid', ctx.traceId);
    set('x-b3-spanid', spanId);
    set('x-b3-sampled', ctx.sampled ? '1' : '0');
    if (parentSpanId) set('x-b3-parentspanid', parentSpanId);
  }
}
