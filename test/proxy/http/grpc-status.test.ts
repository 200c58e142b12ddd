// gRPC status names for retry conditions (Linkerd's retry.linkerd.io/grpc values) and reading
// grpc-status from a header block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRYABLE_GRPC, grpcStatusOf, parseGrpcCodes } from '../../../src/proxy/http/grpc-status.js';

test("Linkerd's names and numbers parse; the default set is cancelled, deadline-exceeded, internal, resource-exhausted, unavailable", () => {
  assert.deepEqual([...parseGrpcCodes('cancelled, Deadline-Exceeded,internal,resource-exhausted,unavailable')].sort((a, b) => a - b), [...DEFAULT_RETRYABLE_GRPC].sort((a, b) => a - b));
  assert.deepEqual([...parseGrpcCodes('14,2')], [14, 2]);
  assert.deepEqual([...parseGrpcCodes('')], []);
});

test('an unknown name or an out-of-range code is refused, naming it', () => {
  for (const bad of ['unavailible', '17', 'ok-ish', '-1']) {
    assert.throws(() => parseGrpcCodes(`unavailable,${bad}`, 'retry.linkerd.io/grpc'), (e: Error & { code?: string }) =>
      e.code === 'WEFT_ERR_CONFIG' && e.message.includes(bad) && e.message.includes('retry.linkerd.io/grpc'));
  }
});

test('grpc-status is read only when it is a number', () => {
  assert.equal(grpcStatusOf({ 'grpc-status': '14' }), 14);
  assert.equal(grpcStatusOf({ 'grpc-status': '0' }), 0);
  assert.equal(grpcStatusOf({ 'grpc-status': 'x' }), undefined);
  assert.equal(grpcStatusOf({}), undefined);
});
