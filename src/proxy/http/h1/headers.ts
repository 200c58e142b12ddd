// Header lists as the HTTP/1 engine keeps them: one flat array of lower-cased name, value,
// name, value, ... in arrival order (no per-request object or map), with the few operations
// the layers need, and the serialisation of a head for the next hop.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** The first value of `name`, or undefined. */
export function getHeader(headers: readonly string[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
  return undefined;
}

// Lists changed through the helpers below. A request whose list is not in here (and has no
// hop-by-hop field) goes upstream with the very head bytes the client sent (h1-forward.ts), so
// a layer must change a request's headers only through these helpers, never on the array.
const changed = new WeakSet<readonly string[]>();

/** Removes every `name` field. */
export function deleteHeader(headers: string[], name: string): void {
  for (let i = headers.length - 2; i >= 0; i -= 2) {
    if (headers[i] !== name) continue;
    headers.splice(i, 2);
    changed.add(headers);
  }
}

/** Replaces every `name` field with one. */
export function setHeader(headers: string[], name: string, value: string): void {
  deleteHeader(headers, name);
  addHeader(headers, name, value);
}

/** Adds a `name` field after the others. */
export function addHeader(headers: string[], name: string, value: string): void {
  headers.push(name, value);
  changed.add(headers);
}

/** A header modifier (Gateway API RequestHeaderModifier / ResponseHeaderModifier, authz rules). */
export interface FlatHeaderModifier {
  readonly add: readonly (readonly [string, string])[];
  readonly set: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
}

/** Applies `mod` to a flat list: removals, then replacements, then additions. */
export function modifyFlat(headers: string[], mod: FlatHeaderModifier): void {
  for (const name of mod.remove) deleteHeader(headers, name);
  for (const [name, value] of mod.set) setHeader(headers, name, value);
  for (const [name, value] of mod.add) addHeader(headers, name, value);
}

// RFC 9110 §7.6.1: these apply to one connection only, as does any header Connection names.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'transfer-encoding', 'upgrade', 'http2-settings']);

/**
 * The end-to-end fields of a message: without hop-by-hop fields, those its Connection header
 * names, Content-Length (the framing is restated by whoever writes the next head) and `drop`.
 */
export function endToEnd(headers: readonly string[], connection: readonly string[], drop?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (notForwarded(name, connection) || drop?.has(name)) continue;
    out.push(name, headers[i + 1] as string);
  }
  return out;
}

/** headerLines(endToEnd(headers, connection)) without the list in between. */
export function endToEndLines(headers: readonly string[], connection: readonly string[]): string {
  let s = '';
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!notForwarded(name, connection)) s += `${name}: ${headers[i + 1] as string}\r\n`;
  }
  return s;
}

/**
 * Whether a message with these fields may go to the next hop with its head as it came: no field
 * is hop-by-hop (Transfer-Encoding aside, which a request may only have as "chunked", the framing
 * the next hop gets anyway), and none was changed since the parse. Content-Length passes as it
 * is: it states the very framing a rebuilt head would restate. The caller checks Connection.
 */
export function forwardableAsIs(headers: readonly string[]): boolean {
  if (changed.has(headers)) return false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name !== 'transfer-encoding' && HOP_BY_HOP.has(name)) return false;
  }
  return true;
}

/**
 * Whether an answer's hop-by-hop fields are at most Connection, Keep-Alive and
 * Transfer-Encoding: then its head may be passed on as it came, less the first two
 * (H1Response.writeHeadAsIs), when its framing is kept.
 */
export function onlyConnectionHopFields(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (HOP_BY_HOP.has(name) && name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') return false;
  }
  return true;
}

/** A field endToEnd leaves out: hop-by-hop, named by Connection, or Content-Length. */
function notForwarded(name: string, connection: readonly string[]): boolean {
  return HOP_BY_HOP.has(name) || name === 'content-length' || (connection.length > 0 && connection.includes(name));
}

/** `name: value\r\n` lines of a flat list. */
export function headerLines(headers: readonly string[]): string {
  let s = '';
  for (let i = 0; i < headers.length; i += 2) s += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return s;
}

/** Whether a TE header asks for trailers ("TE: trailers" is the one TE value forwarded). */
export function wantsTrailersFlat(headers: readonly string[]): boolean {
  const te = getHeader(headers, 'te');
  return te !== undefined && te.toLowerCase().split(',').some((s) => s.trim() === 'trailers');
}

/** A flat list as node:http/http2 header objects (repeated names become arrays). */
export function toHeaderObject(headers: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [String(prev), value];
  }
  return out;
}

/** node:http2 incoming headers (pseudo-headers skipped) as a flat list. */
export function fromHeaderObject(headers: IncomingHttpHeaders | OutgoingHttpHeaders, skip?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const name in headers) {
    if (name.charCodeAt(0) === 0x3a || skip?.has(name)) continue; // ':'
    const v = headers[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push(name, String(x));
    else out.push(name, String(v));
  }
  return out;
}

/** Header values must be single-line latin1; keep a proxy-made value readable but safe. */
export function safeValue(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, ' ').slice(0, 256);
}
