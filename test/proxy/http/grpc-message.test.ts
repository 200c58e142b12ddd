// grpc-message percent-encoding as the gRPC spec has it, checked against grpc-js's own decoding
// (decodeURI): what the proxy says in a denial reaches the client as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grpcMessage } from '../../../src/proxy/http/grpc-message.js';

test('printable ASCII passes as is; % and non-ASCII are percent-encoded; a decodeURI client reads the original', () => {
  const reason = 'unauthorized request on route httproute/x of server/voting-grpc: 100% — naïve';
  const wire = grpcMessage(reason);
  assert.match(wire, /route httproute\/x of server\/voting-grpc: 100%25 %E2%80%94 na%C3%AFve$/);
  assert.ok([...wire].every((c) => c >= ' ' && c <= '~'), 'only printable ASCII on the wire');
  assert.equal(decodeURI(wire), reason);
  assert.equal(grpcMessage('tab\there'), 'tab%09here');
});
