// Every PromQL query of the metrics API (src/control/metrics/queries.ts), run as written against
// a real Prometheus — configured exactly as `weft up` configures it (targets with pod labels,
// the recording rules) — scraping two real proxies that carried traffic the test sent and
// counted itself: a client proxy (deploy/client) sending to a Service's cluster IP through
// discovery, with a ServiceProfile, and the server's inbound proxy (deploy/api) in front of an
// app. Then stat, edges and routes on top of the same Prometheus.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatAddress } from '../../src/lib/address.js';
import { promDuration } from '../../src/lib/duration.js';
import { edges } from '../../src/control/metrics/edges.js';
import type { Inventory, InventorySnapshot } from '../../src/control/metrics/inventory.js';
import { PrometheusClient } from '../../src/control/metrics/prometheus-client.js';
import { QUERIES } from '../../src/control/metrics/queries.js';
import { parseResource } from '../../src/control/metrics/resources.js';
import { routes } from '../../src/control/metrics/routes.js';
import { stat } from '../../src/control/metrics/stat.js';
import type { ProxyHandle } from '../../src/proxy/proxy.js';
import { profileYaml, serviceYaml, startTestControlPlane, type TestControlPlane } from '../helpers/destination.js';
import { client, failures, load, sleep, until } from '../helpers/http-load.js';
import type { Prometheus } from '../helpers/prometheus.js';
import { startWeftPrometheus } from '../helpers/prometheus.js';
import { startTestProxy } from '../helpers/proxy.js';
import { metric } from '../helpers/proxy-probe.js';

const NS = 'demo';
const CLUSTER_IP = '10.96.7.10';
const FQDN = `api.${NS}.svc.cluster.local`;
// A window shorter than the series have existed when the queries run: increase() extrapolates
// a series that starts inside its window (by up to a third here), one that spans it by up to a
// scrape interval (1 s of 10 s: the 15% tolerance below).
const WINDOW_MS = 10_000;
const W = promDuration(WINDOW_MS);
// What the test sends after the warm-up: 60 GET /ok (200), 20 GET /fail (500, a failure), 20 GET
// /slow (200 after 120 ms; no route matches it: [DEFAULT]).
const SENT = { ok: 60, fail: 20, slow: 20, total: 100 };
const near = (got: number | undefined, want: number, tol = 0.15): boolean => got !== undefined && Math.abs(got - want) <= want * tol + 0.5;

describe('the metrics API queries against a real Prometheus', { timeout: 90_000 }, () => {
  let cp: TestControlPlane;
  let app: http.Server;
  let server: ProxyHandle;
  let clientProxy: ProxyHandle;
  let prom: Prometheus;
  let q: (query: string) => ReturnType<PrometheusClient['query']>;
  let inventory: Inventory;
  const cleanups: (() => unknown)[] = [];
  const scope = { after: (fn: () => unknown) => void cleanups.push(fn) };

  before(async () => {
    cp = await startTestControlPlane();
    // The api app: /fail answers 500, /slow after 120 ms, anything else 200 at once.
    app = http.createServer((req, res) => {
      const done = (): void => {
        res.writeHead(req.url === '/fail' ? 500 : 200, { 'content-type': 'text/plain' });
        res.end('api');
      };
      if (req.url === '/slow') setTimeout(done, 120);
      else done();
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
    const appPort = (app.address() as AddressInfo).port;
    server = await startTestProxy({ WEFT_PROXY_INBOUND_DEFAULT_DST: `127.0.0.1:${appPort}` });
    await cp.apply(serviceYaml(NS, 'api', 80, CLUSTER_IP) + `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-0, namespace: ${NS}, labels: {kubernetes.io/service-name: api}}
endpoints:
- addresses: [127.0.0.1]
ports: [{name: http, port: ${server.inbound.port}}]
---
` + profileYaml(NS, 'api', { routes: [{ name: 'GET /ok', pathRegex: '/ok' }, { name: 'GET /fail', pathRegex: '/fail' }] }));
    // Route cost: CPU measured on 1 routed request in 4 (the default is 1 in 16).
    clientProxy = await startTestProxy({ WEFT_PROXY_DESTINATION_SVC_ADDR: cp.addr, WEFT_PROXY_DESTINATION_CONTEXT: `{"ns":"${NS}"}`, WEFT_PROXY_ROUTE_COST_SAMPLE: '4' });
    prom = await startWeftPrometheus([
      { adminAddr: formatAddress(clientProxy.admin), namespace: NS, deployment: 'client', pod: 'client-0', serviceAccount: 'client' },
      { adminAddr: formatAddress(server.admin), namespace: NS, deployment: 'api', pod: 'api-0', serviceAccount: 'api' },
    ]);
    const pc = new PrometheusClient(prom.url);
    q = (query) => pc.query(query);
    const snapshot: InventorySnapshot = {
      trustDomain: 'cluster.local',
      pods: [
        { name: 'client-0', namespace: NS, deployment: 'client', serviceAccount: 'client', meshed: true, addresses: [{ host: '127.0.0.1', port: clientProxy.inbound.port }] },
        { name: 'api-0', namespace: NS, deployment: 'api', serviceAccount: 'api', meshed: true, addresses: [{ host: '127.0.0.1', port: server.inbound.port }] },
      ],
      services: [{ namespace: NS, name: 'api', fqdn: FQDN, clusterIP: CLUSTER_IP, ports: [80], targetPorts: [appPort], pods: ['api-0'], routes: ['GET /ok', 'GET /fail'], hasProfile: true }],
    };
    inventory = { snapshot: async () => snapshot };

    const get = client(scope, clientProxy);
    const authority = `${CLUSTER_IP}:80`;
    // Failures spread out (never 7 in a row, which would eject the endpoint).
    const path = (i: number): string => ['/ok', '/ok', '/ok', '/fail', '/slow'][i % 5] as string;
    // Warm-up: every label set exists before the measured traffic (a series' first count is
    // never part of an increase()).
    const warm = await load(5, 1, (i) => get(authority, path(i)));
    assert.deepEqual(failures(warm), ['500 api']);
    // CPU is measured on 1 routed request in 4 at random, so five warm-up requests leave the
    // sampled-CPU series unborn about one run in three; the measured traffic may then all fall
    // between two scrapes, and the series would be born at its final value (increase() 0).
    for (let i = 0; i < 200 && (await metric(clientProxy.admin, 'route_request_cpu_samples_total', 'rt_route="GET /ok"')) === 0; i++) await get(authority, '/ok');
    const inbound = 'sum(pod:response_total:sum{pod="api-0", direction="inbound"})';
    await until('series older than the window', async () => ((await q(`count_over_time(pod:response_total:sum{pod="api-0", classification="failure"}[1m])`))[0]?.value ?? 0) >= WINDOW_MS / 1000 + 1, 30_000);
    const base = (await q(inbound))[0]?.value ?? 0;
    const out = await load(SENT.total, 4, (i) => get(authority, path(i)));
    assert.equal(out.filter((r) => !(r instanceof Error) && r.status === 200).length, SENT.ok + SENT.slow);
    assert.equal(out.filter((r) => !(r instanceof Error) && r.status === 500).length, SENT.fail);
    await until('the measured traffic scraped', async () => (await q(inbound))[0]?.value === base + SENT.total, 30_000);
    await sleep(1000);
  });

  after(async () => {
    await prom?.close();
    await clientProxy?.close();
    await server?.close();
    for (const c of cleanups.reverse()) await c();
    app?.closeAllConnections();
    await new Promise((r) => app?.close(r));
    await cp?.close();
  });

  const one = async (query: string, pick: (m: Readonly<Record<string, string>>) => boolean = () => true): Promise<number | undefined> => {
    const r = (await q(query)).filter((s) => pick(s.metric));
    return r.length ? r.reduce((n, s) => n + s.value, 0) : undefined;
  };

  test('responses: what the api served, by classification, per Deployment', async () => {
    const query = QUERIES.responses({ direction: 'inbound', namespace: NS }, W, ['namespace', 'deployment']);
    assert.equal(query, `sum by (namespace, deployment, classification) (increase(pod:response_total:sum{direction="inbound", namespace="demo"}[10s]))`);
    const ok = await one(query, (m) => m['deployment'] === 'api' && m['classification'] === 'success');
    const failed = await one(query, (m) => m['deployment'] === 'api' && m['classification'] === 'failure');
    t(`inbound success ${ok}, failure ${failed} (sent ${SENT.ok + SENT.slow} and ${SENT.fail})`);
    assert.ok(near(ok, SENT.ok + SENT.slow), `success ${ok}`);
    assert.ok(near(failed, SENT.fail), `failure ${failed}`);
  });

  test('latency quantiles: p50 fast, p95/p99 in the bucket of the 120 ms requests', async () => {
    const p = async (x: number): Promise<number | undefined> => one(QUERIES.latencyQuantile(x, 'inbound', { namespace: NS }, W, ['deployment']), (m) => m['deployment'] === 'api');
    const [p50, p95, p99] = [await p(0.5), await p(0.95), await p(0.99)];
    t(`inbound p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms`);
    assert.ok(p50 !== undefined && p50 < 10, `p50 ${p50}`);
    assert.ok(p95 !== undefined && p95 >= 100 && p95 <= 200, `p95 ${p95}`);
    assert.ok(p99 !== undefined && p99 >= 100 && p99 <= 200, `p99 ${p99}`);
    const buckets = await q(QUERIES.latencyBuckets('outbound', { deployment: 'client' }, W, ['target_addr']));
    const inf = buckets.find((s) => s.metric['le'] === '+Inf' && s.metric['target_addr'] === `${CLUSTER_IP}:80`);
    assert.ok(near((inf?.value ?? 0) * WINDOW_MS / 1000, SENT.total), `outbound +Inf bucket ${inf?.value}/s`);
  });

  test('TCP: connections open now, bytes per second', async () => {
    assert.ok(((await one(QUERIES.tcpOpen({ direction: 'outbound' }, ['deployment']), (m) => m['deployment'] === 'client')) ?? 0) >= 1, 'the client keeps its connection open');
    assert.ok(((await one(QUERIES.tcpReadRate({ direction: 'inbound' }, W, ['deployment']), (m) => m['deployment'] === 'api')) ?? 0) > 0);
    assert.ok(((await one(QUERIES.tcpWriteRate({ direction: 'inbound' }, W, ['deployment']), (m) => m['deployment'] === 'api')) ?? 0) > 0);
  });

  test('routes: per ServiceProfile route on the client side, with latency', async () => {
    const m = { dst: FQDN };
    const okRoute = await one(QUERIES.routeResponses(m, W), (x) => x['rt_route'] === 'GET /ok' && x['classification'] === 'success');
    const failRoute = await one(QUERIES.routeResponses(m, W), (x) => x['rt_route'] === 'GET /fail' && x['classification'] === 'failure');
    assert.ok(near(okRoute, SENT.ok), `GET /ok ${okRoute}`);
    assert.ok(near(failRoute, SENT.fail), `GET /fail ${failRoute}`);
    const p50 = await one(QUERIES.routeLatencyQuantile(0.5, m, W), (x) => x['rt_route'] === 'GET /ok');
    assert.ok(p50 !== undefined && p50 < 10, `GET /ok p50 ${p50}`);
    const inf = await one(QUERIES.routeLatencyBuckets(m, W), (x) => x['le'] === '+Inf');
    assert.ok(near((inf ?? 0) * WINDOW_MS / 1000, SENT.ok + SENT.fail), `routed +Inf ${inf}/s`);
  });

  test('route cost: bytes per route as sent, CPU time on the sampled requests', async () => {
    const m = { dst: FQDN };
    const query = QUERIES.routeCost('route_response_bytes_total', m, W);
    assert.equal(query, `sum by (dst, rt_route) (increase(route_response_bytes_total{job="weft-proxy", direction="outbound", dst="${FQDN}"}[10s]))`);
    // Every response body is "api", chunked (the app sets no length): 3\r\napi\r\n0\r\n\r\n, 13
    // bytes as forwarded; GETs send no body.
    const okBytes = await one(query, (x) => x['rt_route'] === 'GET /ok');
    assert.ok(near(okBytes, SENT.ok * 13), `GET /ok response bytes ${okBytes}`);
    assert.equal(await one(QUERIES.routeCost('route_request_bytes_total', m, W), (x) => x['rt_route'] === 'GET /ok'), 0);
    const samples = await one(QUERIES.routeCost('route_request_cpu_samples_total', m, W));
    const cpu = await one(QUERIES.routeCost('route_request_cpu_us_total', m, W));
    t(`route cost: ${samples} CPU samples, ${cpu} µs`);
    // 80 routed requests, 1 in 4 at random: mean 20, sd 3.9 (plus increase()'s extrapolation).
    assert.ok((samples ?? 0) >= 6 && (samples ?? 0) <= 40, `samples ${samples}`);
    assert.ok((cpu ?? 0) > 0, `CPU µs ${cpu}`);
  });

  test('edges: outbound by target with the server identity, inbound by client identity', async () => {
    const out = await one(QUERIES.outboundByTarget({}, W, ['deployment']), (m) => m['deployment'] === 'client' && m['target_addr'] === `${CLUSTER_IP}:80`);
    assert.ok(near(out, SENT.total), `client -> ${CLUSTER_IP}:80: ${out}`);
    const inb = await one(QUERIES.inboundByClient({}, W, ['deployment']), (m) => m['deployment'] === 'api' && (m['client_id'] ?? '') === '' && m['tls'] === 'no_identity');
    assert.ok(near(inb, SENT.total), `api <- plaintext client: ${inb}`);
  });

  test('stat, stat --from/--to, edges and routes answer with what was sent', async () => {
    const windowMs = WINDOW_MS;
    const s = await stat(q, inventory, { resource: parseResource('deploy'), windowMs });
    const apiRow = s.rows.find((r) => r.name === 'api');
    t(`stat deploy/api: success ${apiRow?.successRate}, rps ${apiRow?.rps}, p50 ${apiRow?.p50}, p99 ${apiRow?.p99}`);
    assert.ok(apiRow && near(apiRow.rps * WINDOW_MS / 1000, SENT.total) && near(apiRow.successRate, (SENT.ok + SENT.slow) / SENT.total, 0.05));
    assert.equal(apiRow.meshedPods, 1);
    const svc = await stat(q, inventory, { resource: parseResource('svc/api'), windowMs });
    assert.ok(near((svc.rows[0]?.rps ?? 0) * WINDOW_MS / 1000, SENT.total), `svc/api ${JSON.stringify(svc.rows[0])}`);
    const to = await stat(q, inventory, { resource: parseResource('deploy/client'), to: parseResource('svc/api'), windowMs });
    assert.ok(near((to.rows[0]?.rps ?? 0) * WINDOW_MS / 1000, SENT.total) && near(to.rows[0]?.successRate, 0.8, 0.05), `--to ${JSON.stringify(to.rows[0])}`);
    const from = await stat(q, inventory, { resource: parseResource('deploy'), from: parseResource('deploy/client'), windowMs });
    assert.deepEqual(from.rows.map((r) => r.name), ['api']);
    assert.ok(near((from.rows[0]?.rps ?? 0) * WINDOW_MS / 1000, SENT.total) && (from.rows[0]?.p99 ?? 0) >= 100, `--from ${JSON.stringify(from.rows[0])}`);

    const e = await edges(q, inventory, { type: 'deploy', windowMs });
    assert.deepEqual(e.edges.map((x) => [x.src, x.dst, x.secured]), [['-', 'api', false], ['client', 'api', false]]);

    const r = await routes(q, inventory, { resource: parseResource('svc/api'), windowMs });
    const row = (name: string) => r.rows.find((x) => x.route === name);
    t(`routes: ${r.rows.map((x) => `${x.route} ${x.responses.toFixed(1)} ${x.successRate} p50=${x.p50}`).join('; ')}`);
    assert.deepEqual(r.rows.map((x) => x.route), ['GET /ok', 'GET /fail', '[DEFAULT]']);
    assert.ok(near(row('GET /ok')?.responses, SENT.ok) && row('GET /ok')?.successRate === 1);
    assert.ok(near(row('GET /fail')?.responses, SENT.fail) && row('GET /fail')?.successRate === 0);
    // -o wide: mean bytes and CPU per request.
    const okRow = row('GET /ok');
    assert.equal(okRow?.requestBytes, 0);
    assert.ok(near(okRow?.responseBytes, 13, 0.05), `GET /ok bytes per response ${okRow?.responseBytes}`);
    // Plausible: above zero, below 50 ms of CPU for a 3-byte exchange even on a loaded machine.
    assert.ok((okRow?.cpuUs ?? 0) > 0 && (okRow?.cpuUs ?? 0) < 50_000, `GET /ok CPU per request ${okRow?.cpuUs} µs`);
    const def = row('[DEFAULT]');
    assert.ok(near(def?.responses, SENT.slow, 0.3), `[DEFAULT] ${def?.responses}`);
    assert.equal(def?.cpuUs, undefined, 'unrouted requests carry no cost');
    assert.ok((def?.p50 ?? 0) >= 100 && (def?.p50 ?? 0) <= 200, `[DEFAULT] p50 ${def?.p50}`);
  });

  const t = (line: string): void => void process.stdout.write(`# ${line}\n`);
});
