// A tap client built from Linkerd's published tap.proto (test/fixtures/linkerd-proxy-api, not
// weft's copy) observes a weft proxy: the request, with Linkerd's field names (keepCase) and
// nothing defaulted, so what it decodes is what a Linkerd tap controller would read. The tapped
// proxy is the inbound side of a meshed pair, so the events carry the verified client identity.
// A second test walks both definitions and checks every message field's number and type.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { protoDir } from '../../../src/api/load.js';
import { formatAddress } from '../../../src/lib/address.js';
import { formatDnsName, formatSpiffe, workloadId } from '../../../src/lib/spiffe.js';
import type { ProxyHandle } from '../../../src/proxy/proxy.js';
import { LINKERD_LOADER, LINKERD_PROTO_DIR } from '../../control/destination/linkerd-client.js';
import { metricValue, startTestProxy, url } from '../../helpers/proxy.js';
import { httpBackend, type Backend } from '../../helpers/servers.js';
import { collect, waitTaps } from '../../helpers/tap.js';
import { testPki } from '../tls/fixtures.js';

const CLIENT = workloadId('shop', 'web');
const SERVER = workloadId('shop', 'catalog');
const TAP = workloadId('weft-viz', 'tap');

interface LEvent {
  source?: { ip?: { ipv4?: number }; port?: number };
  source_meta?: { labels?: Record<string, string> };
  destination?: { ip?: { ipv4?: number }; port?: number };
  destination_meta?: { labels?: Record<string, string> };
  proxy_direction?: string;
  event?: string;
  http?: {
    event?: string;
    request_init?: { id?: { base?: number; stream?: string }; method?: { registered?: string }; authority?: string; path?: string; headers?: { headers?: { name: string; value: Buffer }[] } };
    response_init?: { id?: { stream?: string }; since_request_init?: { seconds?: string; nanos?: number }; http_status?: number };
    response_end?: { response_bytes?: string; since_request_init?: { nanos?: number }; eos?: unknown };
  };
}

type LinkerdTapClient = grpc.Client & { Observe(req: unknown): grpc.ClientReadableStream<LEvent> };

describe('a Linkerd-shaped tap client', () => {
  let app: Backend;
  let inbound: ProxyHandle;
  let outbound: ProxyHandle;
  let tapCtx: SecureContext;

  before(async () => {
    const pki = await testPki();
    app = await httpBackend();
    tapCtx = (await pki.identity(TAP)).secureContext();
    inbound = await startTestProxy(
      { WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr), WEFT_PROXY_TAP_LISTEN_ADDR: '127.0.0.1:0', WEFT_PROXY_TAP_SVC_NAME: formatSpiffe(TAP) },
      { tlsIdentity: Object.assign(await pki.identity(SERVER), { localName: formatSpiffe(SERVER) }) },
    );
    outbound = await startTestProxy(
      { WEFT_PROXY_OUTBOUND_DEFAULT_DST: formatAddress(inbound.inbound), WEFT_PROXY_OUTBOUND_DEFAULT_DST_IDENTITY: formatSpiffe(SERVER) },
      { tlsIdentity: Object.assign(await pki.identity(CLIENT), { localName: formatSpiffe(CLIENT) }) },
    );
  });
  after(async () => {
    await outbound.close();
    await inbound.close();
    await app.close();
  });

  test('decodes the inbound events of a meshed request, with identities and headers', async () => {
    const def = protoLoader.loadSync(join(LINKERD_PROTO_DIR, 'tap.proto'), LINKERD_LOADER);
    const pkg = grpc.loadPackageDefinition(def) as unknown as { io: { linkerd: { proxy: { tap: { Tap: new (a: string, c: grpc.ChannelCredentials, o: object) => LinkerdTapClient } } } } };
    const name = formatDnsName(SERVER);
    const client = new pkg.io.linkerd.proxy.tap.Tap(formatAddress(inbound.tap ?? app.addr), grpc.credentials.createFromSecureContext(tapCtx), { 'grpc.ssl_target_name_override': name });
    after(() => client.close());
    const c = collect(client.Observe({ limit: 1, match: { http: { path: { prefix: '/tapped' } } }, extract: { http: { headers: {} } } }));
    await waitTaps(inbound, 1);
    const r = await fetch(url(outbound.outbound, '/tapped/1'), { method: 'POST', body: 'hello', headers: { 'x-trace': 'abc' } });
    assert.equal(r.status, 200);
    await r.text();
    assert.equal(await c.done, undefined);
    assert.equal(c.events.length, 3);
    const [req, rsp, end] = c.events as [LEvent, LEvent, LEvent];
    assert.equal(req.proxy_direction, 'INBOUND');
    assert.equal(req.http?.event, 'request_init');
    assert.equal(req.http?.request_init?.method?.registered, 'POST');
    assert.equal(req.http?.request_init?.path, '/tapped/1');
    assert.equal(req.source_meta?.labels?.tls, 'true');
    assert.equal(req.source_meta?.labels?.client_id, formatSpiffe(CLIENT));
    assert.equal(req.destination_meta?.labels?.server_id, formatSpiffe(SERVER));
    assert.equal(req.source?.ip?.ipv4, 0x7f000001);
    assert.equal(req.destination?.port, app.addr.port);
    const trace = req.http?.request_init?.headers?.headers?.find((h) => h.name === 'x-trace');
    assert.equal(trace?.value.toString(), 'abc', 'headers extracted when asked');
    assert.equal(rsp.http?.response_init?.http_status, 200);
    assert.equal(rsp.http?.response_init?.id?.stream, req.http?.request_init?.id?.stream);
    assert.ok(Number(end.http?.response_end?.response_bytes) > 0);
    assert.equal(await metricValue(inbound, 'tap_requests_observed_total'), 1);
  });

  test("weft's tap.proto has Linkerd's messages, field numbers and types", () => {
    const load = (dir: string) => {
      const root = new protobuf.Root();
      root.resolvePath = (_origin, target) => (target.startsWith('google/') || target.startsWith('/') ? target : join(dir, target));
      root.loadSync(join(dir, 'tap.proto'), { keepCase: true });
      root.resolveAll();
      return root;
    };
    const linkerd = load(LINKERD_PROTO_DIR);
    const weft = load(protoDir());
    const walk = (ns: protobuf.NamespaceBase, out: protobuf.Type[] = []): protobuf.Type[] => {
      for (const n of ns.nestedArray) {
        if (n instanceof protobuf.Type) out.push(n);
        if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) walk(n, out);
      }
      return out;
    };
    const types = walk(linkerd.lookup('io.linkerd.proxy.tap') as protobuf.Namespace);
    assert.ok(types.length > 15, `${types.length} message types`);
    for (const lt of types) {
      const wt = weft.lookupType(lt.fullName);
      for (const f of lt.fieldsArray) {
        const wf = wt.fields[f.name];
        assert.ok(wf, `${lt.fullName}.${f.name} missing in weft`);
        assert.equal(wf.id, f.id, `${lt.fullName}.${f.name} number`);
        assert.equal(wf.type, f.type, `${lt.fullName}.${f.name} type`);
        assert.equal(wf.repeated, f.repeated, `${lt.fullName}.${f.name} repeated`);
        assert.equal(wf.partOf?.name, f.partOf?.name, `${lt.fullName}.${f.name} oneof`);
      }
    }
  });
});
