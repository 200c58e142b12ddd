// `weft upgrade`'s notion of a change: what the manifest sets and the live object lacks or has
// otherwise — not what the API server added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedFields, specOf } from '../../../src/runtime/kubernetes/diff.js';

test('fields the API server added are not changes; fields the manifest sets differently are', () => {
  const desired = { spec: { replicas: 3, template: { spec: { containers: [{ name: 'a', image: 'x:2' }] } } } };
  const live = { spec: { replicas: 1, revisionHistoryLimit: 10, template: { spec: { dnsPolicy: 'ClusterFirst', containers: [{ name: 'a', image: 'x:1', terminationMessagePath: '/dev/termination-log' }] } } }, status: {} };
  assert.deepEqual(changedFields(desired, live), ['spec.replicas', 'spec.template.spec.containers[0]']);
  assert.deepEqual(changedFields({ spec: { replicas: 1 } }, live), []);
  assert.deepEqual(changedFields({ data: { a: '1', b: '2' } }, { data: { a: '1' } }), ['data.b']);
  assert.deepEqual(changedFields({ list: [1, 2] }, { list: [1] }), ['list'], 'a list of another length changed as a whole');
  assert.deepEqual(changedFields({ port: 8080 }, { port: '8080' }), [], 'numbers and their strings are the same value');
});

test('only the description of an object is compared, not its identity or server bookkeeping', () => {
  assert.deepEqual(specOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 'b' }, resourceVersion: '5' }, data: { k: 'v' }, status: {} }),
    { metadata: { labels: { a: 'b' } }, data: { k: 'v' } });
});

test("a typed live object's renamed keys match the manifest's dashed ones (a CRD's x-kubernetes-* schema fields)", () => {
  const desired = { schema: { openAPIV3Schema: { properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } };
  // As client-node's V1JSONSchemaProps gives it back.
  const live = { schema: { openAPIV3Schema: { properties: { spec: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } } } };
  assert.deepEqual(changedFields(desired, live), []);
  assert.deepEqual(changedFields(desired, { schema: { openAPIV3Schema: { properties: { spec: { type: 'object' } } } } }), ['schema.openAPIV3Schema.properties.spec.x-kubernetes-preserve-unknown-fields']);
});
