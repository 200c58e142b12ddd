// DNS fallback discovery against a real DNS server (test/helpers/dns-server.ts, UDP on
// loopback): names the destination service does not know, or every name when there is no
// control plane, are resolved with their TTLs and balanced over the answers; the metric says
// which discovery served each request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { client, counted, failures, load, sleep, type After } from '../../helpers/http-load.js';
import { serviceWithBackends, startTestControlPlane } from '../../helpers/destination.js';
import { startDnsServer, type DnsServer } from '../../helpers/dns-server.js';
import { metricValue, startTestProxy } from '../../helpers/proxy.js';

const NAME = 'api.example.test';

async function dnsServer(t: After): Promise<DnsServer> {
  const dns = await startDnsServer();
  t.after(() => dns.close());
  return dns;
}

/** Two backends on the same port, one on 127.0.0.2 and one on 127.0.0.3 (what the A records name). */
async function twoHosts(t: After): Promise<{ port: number; hits: () => [number, number] }> {
  const a = await counted(t, 'a', { host: '127.0.0.2' });
  let bHits = 0;
  const b = http.createServer((_q, s) => {
    bHits++;
    s.end('b');
  });
  await new Promise<void>((resolve, reject) => {
    b.once('error', reject);
    b.listen(a.addr.port, '127.0.0.3', resolve);
  });
  t.after(() => {
    b.closeAllConnections();
    b.close();
  });
  assert.equal((b.address() as AddressInfo).port, a.addr.port);
  return { port: a.addr.port, hits: () => [a.hits, bHits] };
}

test('without a control plane, a name is resolved through DNS, balanced over its answers, cached for its TTL and re-resolved after', { timeout: 30_000 }, async (t) => {
  const dns = await dnsServer(t);
  const hosts = await twoHosts(t);
  dns.set(NAME, ['127.0.0.2', '127.0.0.3'], 2);
  // On by default: no WEFT_PROXY_DNS_DISCOVERY.
  const proxy = await startTestProxy({ WEFT_PROXY_DNS_SERVERS: `127.0.0.1:${dns.port}` });
  t.after(() => proxy.close());
  const get = client(t, proxy, 4);
  const authority = `${NAME}:${hosts.port}`;

  assert.deepEqual(failures(await load(40, 4, () => get(authority))), []);
  const [a, b] = hosts.hits();
  t.diagnostic(`40 requests over 2 answers: ${a} / ${b}; DNS queries ${dns.queries(NAME)}`);
  assert.ok(a >= 10 && b >= 10, `not balanced: ${a} / ${b}`);
  assert.equal(dns.queries(NAME), 1, 'the answer was not cached for its TTL');
  assert.equal(await metricValue(proxy, 'outbound_discovery_requests_total', { source: 'dns' }), 40);

  // The record changes; after its 2 s TTL the proxy asks again and follows it.
  dns.set(NAME, ['127.0.0.3'], 2);
  await sleep(2300);
  const [a0, b0] = hosts.hits();
  assert.deepEqual(failures(await load(20, 4, () => get(authority))), []);
  const [a1, b1] = hosts.hits();
  assert.equal(a1 - a0, 0, 'a request went to the address DNS no longer gives');
  assert.equal(b1 - b0, 20);
  assert.equal(dns.queries(NAME), 2);
});

test('with a control plane: its services are served by it, names it does not know by DNS, names nobody knows by the original destination', { timeout: 30_000 }, async (t) => {
  const dns = await dnsServer(t);
  const hosts = await twoHosts(t);
  dns.set(NAME, ['127.0.0.2', '127.0.0.3'], 30);
  const cp = await startTestControlPlane();
  t.after(() => cp.close());
  const web = await counted(t, 'web');
  await cp.apply(serviceWithBackends('dnsns', 'web', [web.addr]));
  const proxy = await startTestProxy({
    WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr,
    WEFT_PROXY_DESTINATION_CONTEXT: '{"ns":"dnsns"}',
    WEFT_PROXY_DNS_DISCOVERY: 'true',
    WEFT_PROXY_DNS_SERVERS: `127.0.0.1:${dns.port}`,
  });
  t.after(() => proxy.close());
  const get = client(t, proxy, 4);

  assert.deepEqual(failures(await load(10, 2, () => get('web.dnsns.svc.cluster.local:80'))), []);
  assert.equal(web.hits, 10);
  assert.deepEqual(failures(await load(10, 2, () => get(`${NAME}:${hosts.port}`))), []);
  assert.equal(hosts.hits()[0] + hosts.hits()[1], 10);
  // Unknown everywhere: the original destination as it is (here a name that does not resolve: 502).
  const r = await get(`nowhere.example.test:${hosts.port}`);
  assert.equal(r.status, 502);
  assert.equal(await metricValue(proxy, 'outbound_discovery_requests_total', { source: 'destination' }), 10);
  assert.equal(await metricValue(proxy, 'outbound_discovery_requests_total', { source: 'dns' }), 10);
  assert.equal(await metricValue(proxy, 'outbound_discovery_requests_total', { source: 'original' }), 1);
});

test('WEFT_PROXY_DNS_DISCOVERY=false: a name goes to the original destination as given, DNS is never asked', { timeout: 30_000 }, async (t) => {
  const dns = await dnsServer(t);
  const hosts = await twoHosts(t);
  dns.set(NAME, ['127.0.0.2', '127.0.0.3'], 30);
  const proxy = await startTestProxy({ WEFT_PROXY_DNS_DISCOVERY: 'false', WEFT_PROXY_DNS_SERVERS: `127.0.0.1:${dns.port}` });
  t.after(() => proxy.close());
  const r = await client(t, proxy, 1)(`${NAME}:${hosts.port}`);
  assert.equal(r.status, 502, 'the system resolver does not know the test name');
  assert.equal(dns.queries(NAME), 0);
  assert.equal(await metricValue(proxy, 'outbound_discovery_requests_total', { source: 'dns' }), 0);
});

test('WEFT_PROXY_DNS_SERVERS that is not host:port is refused at start with the variable named', async () => {
  await assert.rejects(startTestProxy({ WEFT_PROXY_DNS_DISCOVERY: 'true', WEFT_PROXY_DNS_SERVERS: '127.0.0.1' }), /WEFT_PROXY_DNS_SERVERS/);
});
