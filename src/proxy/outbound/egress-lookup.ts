// The outbound policy of a target, by its address. Intercepted traffic has one (the original
// destination); a proxy-form request (explicit HTTP_PROXY) or a CONNECT names a host instead.
// A name the policy API knows (a Service) is answered by name; any other name is resolved here
// and asked for by address, so a host outside the mesh meets the same EgressNetwork decision as
// intercepted traffic to that address would.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { formatAddress, type Address } from '../../lib/address.js';
import type { OutboundPolicyClient } from './policy-client.js';
import type { OutboundPolicyView } from './policy-types.js';

type Maybe<T> = T | Promise<T>;

/** Host name -> one address, cached for `ttlMs` (failures too, so a bad name costs one lookup per TTL). */
export class HostAddresses {
  private readonly cache = new Map<string, { readonly ip: string | undefined; readonly until: number } | Promise<string | undefined>>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly resolve: (host: string) => Promise<string | undefined> = (h) => dnsLookup(h).then((r) => r.address, () => undefined),
  ) {}

  address(host: string): Maybe<string | undefined> {
    const hit = this.cache.get(host);
    if (hit instanceof Promise) return hit;
    if (hit && hit.until > Date.now()) return hit.ip;
    if (this.cache.size > 10_000) this.cache.clear(); // bounded: proxy-form hosts are the app's choice
    const p = this.resolve(host).then((ip) => {
      this.cache.set(host, { ip, until: Date.now() + this.ttlMs });
      return ip;
    });
    this.cache.set(host, p);
    return p;
  }
}

function then<T, U>(v: Maybe<T>, f: (t: T) => Maybe<U>): Maybe<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** The policy for `target`: one map lookup when known; a named host no Service has, by its address. */
export function policyFor(policies: OutboundPolicyClient, hosts: HostAddresses, target: Address): Maybe<OutboundPolicyView | undefined> {
  const byName = policies.lookup(formatAddress(target));
  if (isIP(target.host) !== 0) return byName;
  return then(byName, (view) => view ?? then(hosts.address(target.host), (ip) => (ip ? policies.lookup(formatAddress({ host: ip, port: target.port })) : undefined)));
}
