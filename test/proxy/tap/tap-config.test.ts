// Tap settings: served only with a tap identity named (and not disabled); bad values are
// ConfigErrors naming the variable; the match compiler refuses what it cannot honour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/lib/errors.js';
import { parseProxyConfig } from '../../../src/proxy/config.js';
import { compileMatch, TapMatchError, type TapRequestInfo } from '../../../src/proxy/tap/match.js';

const TAP = 'spiffe://cluster.local/ns/weft-viz/sa/tap';

test('tap config: off without a tap identity, on with one, off when disabled', () => {
  assert.equal(parseProxyConfig({}).tap, undefined);
  const on = parseProxyConfig({ WEFT_PROXY_TAP_SVC_NAME: TAP });
  assert.deepEqual(on.tap, { listen: { host: '0.0.0.0', port: 4190 }, svcName: TAP, maxEventsPerSecond: 1000 });
  assert.equal(parseProxyConfig({ WEFT_PROXY_TAP_SVC_NAME: TAP, WEFT_PROXY_TAP_DISABLED: 'true' }).tap, undefined);
});

test('tap config: bad values name the variable', () => {
  const bad = (env: Record<string, string>, re: RegExp) => assert.throws(() => parseProxyConfig(env), (e: unknown) => e instanceof ConfigError && re.test(e.message));
  bad({ WEFT_PROXY_TAP_SVC_NAME: 'tap.weft-viz' }, /WEFT_PROXY_TAP_SVC_NAME=tap.weft-viz: expected spiffe/);
  bad({ WEFT_PROXY_TAP_SVC_NAME: TAP, WEFT_PROXY_TAP_LISTEN_ADDR: 'nowhere' }, /WEFT_PROXY_TAP_LISTEN_ADDR/);
  bad({ WEFT_PROXY_TAP_MAX_EVENTS_PER_SECOND: '0' }, /WEFT_PROXY_TAP_MAX_EVENTS_PER_SECOND=0/);
});

const req: TapRequestInfo = {
  direction: 'inbound', source: { host: '10.77.1.5', port: 40000 }, destination: { host: '10.77.1.6', port: 8080 },
  sourceLabels: {}, destinationLabels: { server_id: 'x' }, routeLabels: { route: 'GET /books' },
  method: 'GET', scheme: 'http', authority: 'Books.default:8080', path: '/books/1',
};

test('matches: nets, ports, http fields, labels, all/any/not', () => {
  const m = (x: Parameters<typeof compileMatch>[0]) => compileMatch(x)(req);
  assert.equal(m(undefined), true);
  assert.equal(m({ match: 'source', source: { match: 'netmask', netmask: { ip: { ip: 'ipv4', ipv4: (10 << 24) + (77 << 16) }, mask: 16 } } }), true);
  assert.equal(m({ match: 'source', source: { match: 'netmask', netmask: { ip: { ip: 'ipv4', ipv4: (10 << 24) + (78 << 16) }, mask: 16 } } }), false);
  assert.equal(m({ match: 'destination', destination: { match: 'ports', ports: { min: 8000, max: 8100 } } }), true);
  assert.equal(m({ match: 'destination', destination: { match: 'ports', ports: { min: 8081, max: 0 } } }), false);
  assert.equal(m({ match: 'http', http: { match: 'authority', authority: { match: 'prefix', prefix: 'books.' } } }), true, 'authority is case-insensitive');
  assert.equal(m({ match: 'http', http: { match: 'path', path: { match: 'exact', exact: '/books' } } }), false);
  assert.equal(m({ match: 'http', http: { match: 'method', method: { type: 'registered', registered: 'POST' } } }), false);
  assert.equal(m({ match: 'routeLabel', routeLabel: { key: 'route', value: 'GET /books' } }), true);
  assert.equal(m({ match: 'not', not: { match: 'destinationLabel', destinationLabel: { key: 'server_id', value: 'x' } } }), false);
  assert.equal(m({ match: 'any', any: { matches: [{ match: 'http', http: { match: 'path', path: { match: 'prefix', prefix: '/nope' } } }, { match: 'http', http: { match: 'path', path: { match: 'prefix', prefix: '/books' } } }] } }), true);
  assert.equal(m({ match: 'all', all: { matches: [] } }), true);
});

test('matches it cannot honour are refused', () => {
  const bad = (x: Parameters<typeof compileMatch>[0], re: RegExp) => assert.throws(() => compileMatch(x), (e: unknown) => e instanceof TapMatchError && re.test(e.message));
  bad({}, /no condition/);
  bad({ match: 'source', source: { match: 'netmask', netmask: { ip: { ip: 'ipv4', ipv4: 1 }, mask: 33 } } }, /at most \/32/);
  bad({ match: 'source', source: { match: 'netmask', netmask: { ip: { ip: 'ipv6', ipv6: { first: 0, last: 1 } }, mask: 64 } } }, /only IPv4/);
  bad({ match: 'destination', destination: { match: 'ports', ports: { min: 9000, max: 80 } } }, /port range/);
  bad({ match: 'routeLabel', routeLabel: { key: '', value: 'x' } }, /without a key/);
});
