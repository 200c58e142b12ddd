// Test helpers: start weft proxies in-process on port 0 (a single hop or an outbound->inbound
// pair) and stop them in after().
import type { Address } from '../../src/lib/address.js';
import { formatAddress } from '../../src/lib/address.js';
import { Logger } from '../../src/lib/log.js';
import { parseProxyConfig } from '../../src/proxy/config.js';
import { startProxy, type ProxyHandle, type ProxyOptions } from '../../src/proxy/proxy.js';

const ANY = '127.0.0.1:0';

export interface ProxyPair {
  readonly outbound: ProxyHandle;
  readonly inbound: ProxyHandle;
  /** Where a client connects: the outbound proxy's outbound listener. */
  readonly entry: Address;
  close(): Promise<void>;
}

export const quietLog = (): Logger => new Logger(process.env.WEFT_TEST_LOG === '1' ? 'debug' : 'error', 'test');

export async function startTestProxy(env: Record<string, string> = {}, opts: ProxyOptions = {}): Promise<ProxyHandle> {
  const full = {
    WEFT_PROXY_OUTBOUND_LISTEN_ADDR: ANY,
    WEFT_PROXY_INBOUND_LISTEN_ADDR: ANY,
    WEFT_PROXY_ADMIN_LISTEN_ADDR: ANY,
    ...env,
  };
  return startProxy(parseProxyConfig(full), { log: quietLog(), env: full, ...opts });
}

/** outbound proxy -> inbound proxy -> app at `app`. */
export async function startProxyPair(app: Address, extra: Record<string, string> = {}): Promise<ProxyPair> {
  const inbound = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app), ...extra });
  const outbound = await startTestProxy({ WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(inbound.inbound), ...extra });
  return {
    outbound,
    inbound,
    entry: outbound.outbound,
    async close() {
      await outbound.close();
      await inbound.close();
    },
  };
}

export function url(a: Address, path = '/'): string {
  return `http://${formatAddress(a)}${path}`;
}

/** Reads one metric sample's value from a proxy's exposition (sum over matching series). */
export async function metricValue(p: ProxyHandle, name: string, match: Record<string, string> = {}): Promise<number> {
  const text = await p.metrics.exposition();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(match).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
