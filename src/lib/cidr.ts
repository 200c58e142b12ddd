// CIDR blocks ("10.0.0.0/8", "fd00::/8", or a bare address meaning one host), shared by the
// policy controller (validation, encoding) and the proxy (matching, in CidrSet).
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  readonly ip: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** Parses a CIDR; undefined when it is not one. */
export function parseCidr(s: string): Cidr | undefined {
  const [ip = '', len, extra] = s.trim().split('/');
  if (extra !== undefined) return undefined;
  const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined;
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  if (len === undefined) return { ip, prefix: max, family };
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) return undefined;
  return { ip, prefix: Number(len), family };
}

/** An address as four 32-bit words (IPv4: the IPv4-mapped IPv6 form), or undefined. */
function words(ip: string): Uint32Array | undefined {
  const v4 = parseV4(ip);
  if (v4 !== undefined) return Uint32Array.of(0, 0, 0xffff, v4);
  if (!isIPv6(ip)) return undefined;
  let s = ip;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // An IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const lastColon = s.lastIndexOf(':');
  const tail = parseV4(s.slice(lastColon + 1));
  if (tail !== undefined) s = `${s.slice(0, lastColon + 1)}${(tail >>> 16).toString(16)}:${(tail & 0xffff).toString(16)}`;
  const [head = '', rest] = s.split('::');
  const hs = head ? head.split(':') : [];
  const rs = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups = rest === undefined ? hs : [...hs, ...new Array<string>(8 - hs.length - rs.length).fill('0'), ...rs];
  const out = new Uint32Array(4);
  for (let i = 0; i < 8; i++) out[i >> 1] = ((out[i >> 1] ?? 0) | (parseInt(groups[i] ?? '0', 16) << (i & 1 ? 0 : 16))) >>> 0;
  return out;
}

/** Dotted IPv4 to a 32-bit number, or undefined (each part 0..255, no leading zeros). One pass, no allocation: it runs per request. */
function parseV4(ip: string): number | undefined {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      v = (v << 8) | part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return undefined;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return ((v << 8) | part) >>> 0;
}

/** The mask of word `i` (0..3) for a prefix of `bits` over 128. */
function maskWord(bits: number, i: number): number {
  const b = Math.max(0, Math.min(32, bits - i * 32));
  return b === 0 ? 0 : b === 32 ? 0xffffffff : (0xffffffff << (32 - b)) >>> 0;
}

/** An address parsed for CidrSet.hasAddress: its IPv4 number when it is one (or IPv4-mapped). */
export type ParsedAddress = { readonly ip: string; readonly v4: number | undefined } | undefined;

export function parseAddress(ip: string): ParsedAddress {
  if (!ip) return undefined;
  return { ip, v4: parseV4(ip.startsWith('::ffff:') ? ip.slice(7) : ip) };
}

/**
 * A set of CIDRs to test addresses against (IPv4-mapped IPv6 clients count as IPv4). Matched in
 * plain JS: node:net's BlockList costs about 10 µs a check (a native call building an address
 * object), which a Server with 100 authorizations would pay per request. IPv4 blocks are
 * (network, mask) numbers checked without allocating; IPv6 blocks four 32-bit words each.
 */
export class CidrSet {
  /** IPv4 blocks: network (masked) and mask, pairwise. */
  private readonly v4: Uint32Array;
  /** IPv6 blocks: per block the network's four words, already masked, then the four mask words. */
  private readonly v6: Uint32Array[];
  readonly size: number;

  constructor(cidrs: readonly Cidr[]) {
    const v4 = cidrs.filter((c) => c.family === 'ipv4');
    this.v4 = new Uint32Array(v4.length * 2);
    v4.forEach((c, i) => {
      const mask = maskWord(c.prefix, 0);
      this.v4[2 * i] = ((parseV4(c.ip) ?? 0) & mask) >>> 0;
      this.v4[2 * i + 1] = mask;
    });
    this.v6 = cidrs.filter((c) => c.family === 'ipv6').map((c) => {
      const w = words(c.ip) as Uint32Array;
      const b = new Uint32Array(8);
      for (let i = 0; i < 4; i++) {
        b[4 + i] = maskWord(c.prefix, i);
        b[i] = ((w[i] ?? 0) & (b[4 + i] ?? 0)) >>> 0;
      }
      return b;
    });
    this.size = cidrs.length;
  }

  has(ip: string): boolean {
    return this.hasAddress(parseAddress(ip));
  }

  /** `has` for an address parsed once (parseAddress), when one address meets many sets. */
  hasAddress(p: ParsedAddress): boolean {
    if (this.size === 0 || p === undefined) return false;
    const { v4: a, ip } = p;
    if (a !== undefined) {
      for (let i = 0; i < this.v4.length; i += 2) if (((a & (this.v4[i + 1] as number)) >>> 0) === this.v4[i]) return true;
    }
    if (this.v6.length === 0) return false;
    // IPv6 blocks may hold IPv4 addresses too, in their mapped form (::ffff:0:0/96, ::/0).
    const w = a !== undefined ? Uint32Array.of(0, 0, 0xffff, a) : words(ip);
    if (!w) return false;
    for (const b of this.v6) {
      if (((w[0] as number) & (b[4] as number)) >>> 0 === b[0] && ((w[1] as number) & (b[5] as number)) >>> 0 === b[1]
        && ((w[2] as number) & (b[6] as number)) >>> 0 === b[2] && ((w[3] as number) & (b[7] as number)) >>> 0 === b[3]) return true;
    }
    return false;
  }
}
