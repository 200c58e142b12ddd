// DNS discovery: the fallback for names the destination service does not know (or when there is
// no control plane), as Linkerd does for names outside the cluster. A name's A records are
// resolved with their TTLs and cached until the shortest TTL runs out; requests are spread over
// the answers in turn, and an address whose connection just failed is passed over while others
// remain. Only names: an IP address (an intercepted original destination) is used as it is.
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Address } from '../../lib/address.js';

/** Shortest time an answer is kept, so a TTL of 0 does not cost a query per request. */
const MIN_TTL_MS = 1000;
/** How long a name that did not resolve is not asked again. */
const NEGATIVE_TTL_MS = 5000;
/** How long an address whose connection failed is passed over. */
const FAILED_MS = 5000;

interface Entry {
  readonly addrs: readonly string[];
  readonly expires: number;
  next: number;
}

export interface DnsPick {
  readonly target: Address;
  done(ok: boolean): void;
}

export class DnsDiscovery {
  private readonly resolver = new Resolver({ timeout: 1000, tries: 2 });
  private readonly cache = new Map<string, Promise<Entry | undefined>>();
  private readonly failed = new Map<string, number>();

  /** `servers`: "host:port" of DNS servers; empty: the system's (resolv.conf). */
  constructor(servers: readonly string[] = [], private readonly now: () => number = Date.now) {
    if (servers.length > 0) this.resolver.setServers([...servers]);
  }

  /** True for a name DNS may resolve (not an IP literal, not empty). */
  static applies(host: string): boolean {
    return host !== '' && isIP(host) === 0;
  }

  /**
   * A picker over `host`'s A records (port kept), or undefined when DNS has no answer. Each
   * call to the picker takes the next address.
   */
  async resolve(host: string, port: number): Promise<(() => DnsPick) | undefined> {
    const entry = await this.lookup(host);
    if (!entry || entry.addrs.length === 0) return undefined;
    return () => {
      const n = entry.addrs.length;
      let chosen = entry.addrs[entry.next++ % n] as string;
      // Pass over an address that just failed, when another has not.
      for (let i = 0; i < n && (this.failed.get(chosen) ?? 0) > this.now(); i++) chosen = entry.addrs[entry.next++ % n] as string;
      return {
        target: { host: chosen, port },
        done: (ok) => {
          if (ok) this.failed.delete(chosen);
          else this.failed.set(chosen, this.now() + FAILED_MS);
        },
      };
    };
  }

  private lookup(host: string): Promise<Entry | undefined> {
    const hit = this.cache.get(host);
    if (hit) return hit;
    const p = this.query(host);
    this.cache.set(host, p);
    void p.then((e) => {
      const ms = Math.max(0, (e?.expires ?? this.now() + NEGATIVE_TTL_MS) - this.now());
      setTimeout(() => {
        if (this.cache.get(host) === p) this.cache.delete(host);
      }, ms).unref();
    });
    return p;
  }

  private async query(host: string): Promise<Entry | undefined> {
    try {
      const records = await this.resolver.resolve4(host, { ttl: true });
      if (records.length === 0) return undefined;
      const ttl = Math.max(MIN_TTL_MS, Math.min(...records.map((r) => r.ttl * 1000)));
      return { addrs: records.map((r) => r.address), expires: this.now() + ttl, next: 0 };
    } catch {
      return undefined;
    }
  }
}
