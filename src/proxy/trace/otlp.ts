// OTLP/HTTP protobuf encoding of spans (opentelemetry/proto/collector/trace/v1
// ExportTraceServiceRequest), written by hand: the proxy sends one message type, and a protobuf
// runtime with the OTLP schema would cost more memory than this file. Field numbers are the
// ones in the OTLP .proto files (trace.proto, common.proto, resource.proto).

export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP SpanKind: 2 server, 3 client. */
  readonly kind: 2 | 3;
  /** Unix epoch nanoseconds. */
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Readonly<Record<string, string | number>>;
  /** OTLP Status.code: 0 unset, 1 ok, 2 error. */
  readonly status: 0 | 1 | 2;
}

/** A protobuf writer into one growing Buffer; nested messages are written to their own writer and copied in. */
class Writer {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Varint of a non-negative safe integer (tags, lengths, enums); int64 values go through bigint. */
  varint(v: number): this {
    this.room(10);
    while (v > 0x7f) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
    return this;
  }

  varint64(v: bigint): this {
    this.room(10);
    let n = BigInt.asUintN(64, v);
    while (n > 0x7fn) {
      this.buf[this.len++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.len++] = Number(n);
    return this;
  }

  tag(field: number, wire: 0 | 1 | 2 | 5): this {
    return this.varint(field * 8 + wire);
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  fixed64(field: number, v: bigint): this {
    this.tag(field, 1).room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.len);
    this.len += 8;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function keyValue(key: string, value: string | number): Writer {
  // AnyValue: string_value = 1, int_value = 3 (int64 varint); a fraction goes as its string.
  const any = new Writer();
  if (typeof value === 'number' && Number.isInteger(value)) any.tag(3, 0).varint64(BigInt(value));
  else any.string(1, String(value));
  return new Writer().string(1, key).message(2, any);
}

function span(s: SpanRecord): Writer {
  const w = new Writer()
    .bytes(1, Buffer.from(s.traceId, 'hex'))
    .bytes(2, Buffer.from(s.spanId, 'hex'));
  if (s.parentSpanId) w.bytes(4, Buffer.from(s.parentSpanId, 'hex'));
  w.string(5, s.name).tag(6, 0).varint(s.kind).fixed64(7, s.startNs).fixed64(8, s.endNs);
  for (const [k, v] of Object.entries(s.attributes)) w.message(9, keyValue(k, v));
  // Status: code = 3.
  return w.message(15, new Writer().tag(3, 0).varint(s.status));
}

/** ExportTraceServiceRequest { resource_spans = 1 { resource = 1, scope_spans = 2 { scope = 1, spans = 2 } } }. */
export function encodeExportRequest(resource: Readonly<Record<string, string>>, spans: readonly SpanRecord[]): Uint8Array {
  const res = new Writer();
  for (const [k, v] of Object.entries(resource)) res.message(1, keyValue(k, v));
  const scope = new Writer().message(1, new Writer().string(1, 'weft-proxy'));
  for (const s of spans) scope.message(2, span(s));
  return new Writer().message(1, new Writer().message(1, res).message(2, scope)).finish();
}
