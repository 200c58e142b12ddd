// Reading untyped YAML/JSON values into typed fields while tracking the field path, so every
// validation error can say exactly which field is wrong (spec.routes[2].condition.method).
import { WeftError } from '../../lib/errors.js';

/** A value at `path` is missing or malformed; ManifestError adds the file and document. */
export class FieldError extends WeftError {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super('WEFT_ERR_INVALID_FIELD', `${path || '<root>'}: ${problem}`);
  }
}

export type Obj = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

export function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

export function obj(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FieldError(path, `expected an object, got ${describe(v)}`);
  return v as Obj;
}

export function optObj(v: unknown, path: string): Obj | undefined {
  return v === undefined || v === null ? undefined : obj(v, path);
}

export function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldError(path, `expected a list, got ${describe(v)}`);
  return v;
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new FieldError(path, `expected a non-empty string, got ${describe(v)}`);
  return v;
}

export function optStr(v: unknown, path: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, path);
}

export function bool(v: unknown, path: string, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new FieldError(path, `expected true or false, got ${describe(v)}`);
  return v;
}

export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new FieldError(path, `expected an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

export function port(v: unknown, path: string): number {
  return int(v, path, 1, 65535);
}

export function strMap(v: unknown, path: string): Readonly<Record<string, string>> {
  const o = optObj(v, path) ?? {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) {
    if (typeof val !== 'string') throw new FieldError(join(path, k), `expected a string, got ${describe(val)}`);
    out[k] = val;
  }
  return Object.freeze(out);
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration ("300ms", "1m30s", "10s") into milliseconds. */
export function duration(v: unknown, path: string): number {
  const s = typeof v === 'string' ? v.trim() : '';
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    ms += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  if (s === '' || matched !== s.length) throw new FieldError(path, `expected a duration like "300ms" or "10s", got ${describe(v)}`);
  return ms;
}

/** Parses a Kubernetes Quantity ("1", "500m", "0.5", 2) into thousandths, as Linkerd's MilliValue. */
export function milliQuantity(v: unknown, path: string): number {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(s);
  if (!m) throw new FieldError(path, `expected a quantity like "1", "0.5" or "500m", got ${describe(v)}`);
  const milli = m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
  return Math.round(milli);
}
