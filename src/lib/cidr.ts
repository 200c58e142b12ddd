// CIDR blocks ("10.0.0.0/8", "fd00::/8", or a bare address meaning one host), shared by the
// policy controller (validation, encoding) and the proxy (matching with node:net's BlockList).
import { BlockList, isIPv4, isIPv6 } from 'node:net';

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

/** A set of CIDRs to test addresses against (IPv4-mapped IPv6 clients count as IPv4). */
export class CidrSet {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(cidrs: readonly Cidr[]) {
    for (const c of cidrs) this.list.addSubnet(c.ip, c.prefix, c.family);
    this.size = cidrs.length;
  }

  has(ip: string): boolean {
    if (this.size === 0) return false;
    const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
    return this.list.check(v4, isIPv4(v4) ? 'ipv4' : 'ipv6');
  }
}
