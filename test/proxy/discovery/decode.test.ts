import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { LOADER_OPTIONS, protoDir } from '../../../src/api/load.js';
import { tcpAddress } from '../../../src/control/destination/translate.js';
import { decodeEndpoint, decodeProfile, decodeTcpAddress } from '../../../src/proxy/discovery/decode.js';
import { classifyResponse } from '../../../src/proxy/discovery/route-match.js';
import type { TcpAddress__Output } from '../../../src/api/gen/io/linkerd/proxy/net/TcpAddress.js';
import type { WeightedAddr__Output } from '../../../src/api/gen/io/linkerd/proxy/destination/WeightedAddr.js';
import type { DestinationProfile__Output } from '../../../src/api/gen/io/linkerd/proxy/destination/DestinationProfile.js';
import { linkerdTypes } from '../../control/destination/linkerd-client.js';

// Encode on the control side, decode on the proxy side, through real protobuf bytes.
function roundTrip(ip: string, port: number): string | undefined {
  const def = protoLoader.loadSync(join(protoDir(), 'net.proto'), { ...LOADER_OPTIONS, longs: String, includeDirs: [protoDir()] });
  const t = def['io.linkerd.proxy.net.TcpAddress'] as protoLoader.MessageTypeDefinition<object, object>;
  const bytes = t.serialize(tcpAddress(ip, port));
  const a = decodeTcpAddress(t.deserialize(bytes) as TcpAddress__Output);
  return a && `${a.host} ${a.port}`;
}

test('tcp_addresses_round_trip_exactly_for_ipv4_and_ipv6', () => {
  assert.equal(roundTrip('10.1.2.3', 8080), '10.1.2.3 8080');
  assert.equal(roundTrip('255.255.255.255', 1), '255.255.255.255 1');
  assert.equal(roundTrip('fd00::1', 80), 'fd00::1 80');
  assert.equal(roundTrip('2001:db8:ffff:ffff:ffff:ffff:ffff:fffe', 443), '2001:db8:ffff:ffff:ffff:ffff:ffff:fffe 443');
  assert.equal(roundTrip('::1', 9), '::1 9');
});

// What Linkerd's controller sends, encoded with Linkerd's published destination.proto (the
// test fixture), decoded the way the proxy's discovery client does (weft's copy, longs as
// strings): the proxy must read Linkerd's field numbers and Linkerd's meanings.
function fromLinkerd<T>(type: string, msg: object): T {
  const linkerd = linkerdTypes()[`io.linkerd.proxy.destination.${type}`] as protoLoader.MessageTypeDefinition<object, object>;
  const ours = protoLoader.loadSync(join(protoDir(), 'destination.proto'), { ...LOADER_OPTIONS, longs: String, includeDirs: [protoDir()] });
  return (ours[`io.linkerd.proxy.destination.${type}`] as protoLoader.MessageTypeDefinition<object, object>).deserialize(linkerd.serialize(msg)) as T;
}

const meshedAddr = (hint: object): object => ({
  addr: { ip: { ipv4: 0x0a010001 }, port: 3306 },
  weight: 10_000,
  tls_identity: { uri_like_identity: { uri: 'spiffe://cluster.local/ns/shop/sa/db' }, server_name: { name: 'db.shop.serviceaccount.identity.linkerd.cluster.local' } },
  protocol_hint: hint,
});

test('linkerd_opaque_transport_inbound_port_is_read_from_the_protocol_hint (issue 18)', () => {
  const e = decodeEndpoint(fromLinkerd<WeightedAddr__Output>('WeightedAddr', meshedAddr({ opaque: {}, opaque_transport: { inbound_port: 4143 } })));
  assert.equal(e?.protocolHint, 'opaque');
  assert.equal(e?.opaqueTransportPort, 4143);
  assert.equal(e?.address, '10.1.0.1:3306');
  // Absent, or out of a port's range: the proxy falls back to its own setting.
  assert.equal(decodeEndpoint(fromLinkerd<WeightedAddr__Output>('WeightedAddr', meshedAddr({ h2: {} })))?.opaqueTransportPort, undefined);
  assert.equal(decodeEndpoint(fromLinkerd<WeightedAddr__Output>('WeightedAddr', meshedAddr({ opaque: {}, opaque_transport: { inbound_port: 70_000 } })))?.opaqueTransportPort, undefined);
});

test('linkerd_one_sided_status_range_classifies_that_one_status (issue 18)', () => {
  // Linkerd's controller passes `status: {min: 404}` through as {min: 404} (max 0, absent).
  const p = decodeProfile(fromLinkerd<DestinationProfile__Output>('DestinationProfile', {
    routes: [{
      condition: { path: { regex: '/.*' } },
      response_classes: [
        { condition: { status: { min: 404 } }, is_failure: true },
        { condition: { status: { max: 299 } }, is_failure: false },
      ],
    }],
  }));
  const route = p.routes[0];
  assert.equal(classifyResponse(route, 404), 'failure');
  assert.equal(classifyResponse(route, 405), 'success'); // not 404-599
  assert.equal(classifyResponse(route, 500), 'failure'); // no class: the 5xx default
  assert.equal(classifyResponse(route, 299), 'success');
  assert.equal(classifyResponse(route, 200), 'success');
  assert.deepEqual(route?.responseClasses.map((c) => c.condition), [{ kind: 'status', min: 404, max: 404 }, { kind: 'status', min: 299, max: 299 }]);
});
