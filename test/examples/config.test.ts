// The demo components' environment parsing: defaults, address forms, proxies, bad values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseCatalogConfig, parseServiceAddress, parseVoteBotConfig, parseVotingConfig, parseWebConfig, useProxy,
} from '../../examples/demo/config.js';
import { ConfigError } from '../../src/lib/errors.js';

test('defaults: distinct ports per component, so all four run side by side without configuration', () => {
  assert.deepEqual(parseCatalogConfig({}), { listen: { host: '0.0.0.0', port: 7081 }, logLevel: 'info' });
  const voting = parseVotingConfig({});
  assert.equal(voting.listen.port, 7082);
  assert.equal(voting.failItem, 'socks');
  assert.equal(voting.failRate, 0.25);
  const web = parseWebConfig({});
  assert.equal(web.listen.port, 7080);
  assert.deepEqual(web.catalog, { host: 'localhost', port: 7081 });
  assert.deepEqual(web.voting, { host: 'localhost', port: 7082 });
  assert.equal(web.timeoutMs, 2000);
  assert.equal(web.http.proxy, undefined);
  assert.equal(web.grpc.proxy, undefined);
  const bot = parseVoteBotConfig({});
  assert.deepEqual(bot.web, { host: 'localhost', port: 7080 });
  assert.equal(bot.rate, 8);
  assert.equal(bot.maxInFlight, 4);
  assert.equal(bot.summaryIntervalMs, 5000);
  assert.ok(Object.isFrozen(web) && Object.isFrozen(web.http));
});

test('service addresses: host:port or http:// URLs, names kept unresolved', () => {
  assert.deepEqual(parseServiceAddress('catalog:7080'), { host: 'catalog', port: 7080 });
  assert.deepEqual(parseServiceAddress('http://catalog.demo:7081'), { host: 'catalog.demo', port: 7081 });
  assert.deepEqual(parseServiceAddress('http://web.demo.svc.cluster.local/'), { host: 'web.demo.svc.cluster.local', port: 80 });
  assert.deepEqual(parseServiceAddress('[::1]:9000'), { host: '::1', port: 9000 });
  for (const bad of ['catalog', 'https://catalog:443', 'http://catalog:7080/items', 'catalog:99999', '']) {
    assert.throws(() => parseServiceAddress(bad), (e: unknown) => e instanceof ConfigError && e.code === 'WEFT_ERR_CONFIG', bad);
  }
});

test('listen address, fail rate and log level are checked at start', () => {
  assert.deepEqual(parseVotingConfig({ LISTEN_ADDR: '127.0.0.1:0' }).listen, { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseCatalogConfig({ LISTEN_ADDR: ':9001' }).listen, { host: '0.0.0.0', port: 9001 });
  assert.equal(parseVotingConfig({ FAIL_RATE: '0', FAIL_ITEM: 'hat' }).failRate, 0);
  assert.equal(parseVotingConfig({ FAIL_ITEM: 'hat' }).failItem, 'hat');
  for (const env of [{ FAIL_RATE: '1.5' }, { FAIL_RATE: 'often' }, { LOG_LEVEL: 'loud' }, { LISTEN_ADDR: 'nowhere' }]) {
    assert.throws(() => parseVotingConfig(env), ConfigError, JSON.stringify(env));
  }
  assert.throws(() => parseVoteBotConfig({ RATE: '0' }), /RATE/);
  assert.throws(() => parseVoteBotConfig({ MAX_IN_FLIGHT: '0' }), /MAX_IN_FLIGHT/);
});

test('HTTP_PROXY wins over http_proxy; gRPC uses grpc_proxy, else the HTTP proxy', () => {
  const both = parseWebConfig({ HTTP_PROXY: 'http://127.0.0.1:4140', http_proxy: 'http://127.0.0.1:1' });
  assert.deepEqual(both.http.proxy, { host: '127.0.0.1', port: 4140 });
  assert.deepEqual(both.grpc.proxy, { host: '127.0.0.1', port: 4140 });
  const lower = parseWebConfig({ http_proxy: '127.0.0.1:4140', grpc_proxy: 'http://127.0.0.1:4141' });
  assert.deepEqual(lower.http.proxy, { host: '127.0.0.1', port: 4140 });
  assert.deepEqual(lower.grpc.proxy, { host: '127.0.0.1', port: 4141 });
  assert.deepEqual(parseWebConfig({ GRPC_PROXY: 'http://proxy' }).grpc.proxy, { host: 'proxy', port: 80 });
  assert.throws(() => parseWebConfig({ HTTP_PROXY: 'socks5://127.0.0.1:1080' }), /HTTP_PROXY.*socks5/);
});

test('NO_PROXY: exact names, domain suffixes, ports ignored, * for all', () => {
  const s = parseWebConfig({ HTTP_PROXY: 'http://127.0.0.1:4140', NO_PROXY: 'localhost, .internal,127.0.0.1:7080,Example.COM' }).http;
  assert.equal(useProxy(s, 'catalog.demo'), true);
  assert.equal(useProxy(s, 'localhost'), false);
  assert.equal(useProxy(s, 'db.internal'), false);
  assert.equal(useProxy(s, 'internal'), false);
  assert.equal(useProxy(s, '127.0.0.1'), false);
  assert.equal(useProxy(s, 'api.example.com'), false);
  assert.equal(useProxy(s, 'notexample.com'), true);
  assert.equal(useProxy(parseWebConfig({ HTTP_PROXY: 'p:1', no_proxy: '*' }).http, 'anything'), false);
  // no_grpc_proxy applies to gRPC only.
  const g = parseWebConfig({ HTTP_PROXY: 'p:1', NO_PROXY: 'catalog.demo', no_grpc_proxy: 'voting.demo' });
  assert.equal(useProxy(g.http, 'voting.demo'), true);
  assert.equal(useProxy(g.grpc, 'voting.demo'), false);
  assert.equal(useProxy(g.grpc, 'catalog.demo'), true);
  assert.equal(useProxy(parseWebConfig({}).http, 'catalog.demo'), false);
});
