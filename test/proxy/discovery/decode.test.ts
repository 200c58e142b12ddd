import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { LOADER_OPTIONS, protoDir } from '../../../src/api/load.js';
import { tcpAddress } from '../../../src/control/destination/translate.js';
import { decodeTcpAddress } from '../../../src/proxy/discovery/decode.js';
import type { TcpAddress__Output } from '../../../src/api/gen/io/linkerd/proxy/net/TcpAddress.js';

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
