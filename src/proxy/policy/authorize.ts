// The authorization decision, pure: is a client (its verified mTLS identity, if any, and its
// address) allowed by one of a list of authorizations? The first that allows it is returned,
// for metrics labels; none means deny.
import type { ConnContext } from '../context.js';
import { parseAddress, type ParsedAddress } from '../../lib/cidr.js';
import type { Authentication, Authorization } from './types.js';

/**
 * Linkerd's DNS form of a weft SPIFFE identity, `<sa>.<ns>.serviceaccount.identity.<td>`,
 * which identity suffixes are matched against (spiffe://<td>/ns/<ns>/sa/<sa>).
 */
export function identityDnsName(id: string): string {
  const m = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(id);
  return m ? `${m[3]}.${m[2]}.serviceaccount.identity.${m[1]}` : id;
}

function suffixMatches(dns: string, parts: readonly string[]): boolean {
  const labels = dns.split('.');
  if (parts.length > labels.length) return false;
  const off = labels.length - parts.length;
  return parts.every((p, i) => labels[off + i] === p);
}

function authenticated(a: Authentication, tls: boolean, clientId: string): boolean {
  if (a.kind === 'unauthenticated') return true;
  if (!tls) return false;
  if (a.any) return true;
  if (!clientId) return false;
  if (a.identities.has(clientId)) return true;
  if (a.suffixes.length === 0) return false;
  const dns = identityDnsName(clientId);
  return a.suffixes.some((p) => suffixMatches(dns, p));
}

export interface Client {
  /** The connection is mTLS from a meshed peer. */
  readonly tls: boolean;
  /** The peer's verified identity ('' when none). */
  readonly id: string;
  /** The peer's IP address ('' when unknown: then no network matches). */
  readonly ip: string;
  /** The same, parsed once for all the networks of all the authorizations tried. */
  readonly addr: ParsedAddress;
}

function admitsClient(a: Authorization, c: Client): boolean {
  if (!authenticated(a.authn, c.tls, c.id) || !c.addr) return false;
  const addr = c.addr;
  return a.networks.some((n) => n.net.hasAddress(addr) && !n.except.hasAddress(addr));
}

/** The first authorization that admits the client on its own (one that also needs a JWT never does here). */
export function authorize(authzs: readonly Authorization[], c: Client): Authorization | undefined {
  for (const a of authzs) {
    if (!a.jwt && admitsClient(a, c)) return a;
  }
  return undefined;
}

/** Authorizations that would admit the client if its request carries a JWT meeting theirs (in order). */
export function jwtCandidates(authzs: readonly Authorization[], c: Client): Authorization[] {
  return authzs.filter((a) => a.jwt && admitsClient(a, c));
}

/** A client as the decision needs it (its address parsed once). */
export function makeClient(tls: boolean, id: string, ip: string): Client {
  return { tls, id, ip, addr: parseAddress(ip) };
}

export function clientOf(ctx: ConnContext): Client {
  return makeClient(ctx.tls.tls === 'true', ctx.tls.clientId, ctx.peerIp ?? '');
}
