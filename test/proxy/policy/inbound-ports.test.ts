// WEFT_PROXY_INBOUND_PORTS (Linkerd's LINKERD2_PROXY_INBOUND_PORTS): the workload's own ports,
// whose inbound policies the proxy asks for at start instead of on each port's first connection
// (which otherwise waits for the answer, up to the initial wait, and is timed by the client's
// balancer as that endpoint's latency). Checked on the wire: the policy API is a listener that
// counts connections and never answers, so only a watch opened at start can reach it before any
// request does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ConfigError } from '../../../src/lib/errors.js';
import { parseProxyConfig } from '../../../src/proxy/config.js';
import { MAX_INBOUND_PORTS } from '../../../src/proxy/policy/config.js';
import { sleep, until } from '../../helpers/http-load.js';
import { startTestProxy } from '../../helpers/proxy.js';

const WORKLOAD = JSON.stringify({ ns: 'shop', pod: 'catalog-0' });

/** A "policy API" that accepts and holds connections, counting them. */
async function silentApi(): Promise<{ addr: string; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const held = new Set<net.Socket>();
  const server = net.createServer((s) => {
    n++;
    held.add(s);
    s.on('error', () => undefined);
    s.on('close', () => held.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    addr: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => n,
    close: () => {
      for (const s of held) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('the workload ports are watched from the start; without them the policy API is not called before a request', async (t) => {
  const withPorts = await silentApi();
  const without = await silentApi();
  t.after(() => Promise.all([withPorts.close(), without.close()]));
  const base = { WEFT_PROXY_POLICY_WORKLOAD: WORKLOAD, WEFT_PROXY_POLICY_INITIAL_WAIT_MS: '5000', WEFT_PROXY_INBOUND_DEFAULT_POLICY: 'deny' };
  const plain = await startTestProxy({ ...base, WEFT_PROXY_POLICY_SVC_ADDR: without.addr });
  t.after(() => plain.close());
  const watching = await startTestProxy({ ...base, WEFT_PROXY_POLICY_SVC_ADDR: withPorts.addr, WEFT_PROXY_INBOUND_PORTS: '8080, 9090,8080' });
  t.after(() => watching.close());
  await until('the proxy with inbound ports calls its policy API', () => withPorts.connections() > 0, 5000);
  // The other proxy started first and has had at least as long.
  await sleep(200);
  assert.equal(without.connections(), 0, 'a proxy without inbound ports called its policy API with no connection to serve');
});

test('WEFT_PROXY_INBOUND_PORTS: a list of ports, each once; anything else is a clear error', () => {
  const env = (v: string) => ({ WEFT_PROXY_INBOUND_PORTS: v, WEFT_PROXY_POLICY_SVC_ADDR: '127.0.0.1:8090', WEFT_PROXY_POLICY_WORKLOAD: WORKLOAD });
  assert.deepEqual(parseProxyConfig(env(' 9090,8080,,8080 ')).inboundPolicy.ports, [8080, 9090]);
  assert.deepEqual(parseProxyConfig({}).inboundPolicy.ports, []);
  for (const bad of ['http', '0', '65536', '8080-8090', '-1', '80 81']) {
    assert.throws(() => parseProxyConfig(env(bad)), (e: unknown) => e instanceof ConfigError && /WEFT_PROXY_INBOUND_PORTS: ".*" is not a port/.test(e.message), bad);
  }
  const many = Array.from({ length: MAX_INBOUND_PORTS + 1 }, (_, i) => 1000 + i).join(',');
  assert.throws(() => parseProxyConfig(env(many)), /WEFT_PROXY_INBOUND_PORTS: 101 ports; at most 100/);
});
