// Fault-injection annotations (fault.weft.io/*) on HTTPRoute/GRPCRoute and the URLRewrite filter:
// accepted when well formed, rejected naming the annotation or field otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests, ManifestError } from '../../../src/control/store/manifest.js';
import type { HTTPRoute } from '../../../src/control/store/policy-types.js';
import { parseFault } from '../../../src/control/store/fault-annotations.js';

const route = (kind: 'HTTPRoute' | 'GRPCRoute', ann: Record<string, string>, rules = '') =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: ${kind}\nmetadata: {name: r, namespace: demo, annotations: ${JSON.stringify(ann)}}\nspec: {parentRefs: [{name: s, kind: Service}]${rules}}`;

function fieldError(yaml: string): ManifestError {
  try {
    parseManifests(yaml, 'bad.yaml');
  } catch (err) {
    assert.ok(err instanceof ManifestError, `expected a ManifestError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the manifest to be rejected');
}

test('fault annotations: well-formed ones load and parse to ratios', () => {
  const [r] = parseManifests(route('HTTPRoute', { 'fault.weft.io/abort-status': '503', 'fault.weft.io/abort-percent': '12.5', 'fault.weft.io/delay': '1s' }), 'ok.yaml');
  assert.ok(r);
  assert.deepEqual(parseFault((r as HTTPRoute).metadata.annotations, false), {
    abort: { status: 503, message: '', ratio: { numerator: 125_000, denominator: 1_000_000 } },
    delay: { ms: 1000, ratio: { numerator: 1, denominator: 1 } },
  });
  assert.equal(parseFault({ 'retry.linkerd.io/http': '5xx' }, false), undefined, 'no fault annotations: no fault');
});

test('fault annotations: bad values are rejected naming the annotation', () => {
  const cases: [string, string][] = [
    [route('HTTPRoute', { 'fault.weft.io/abort-status': '700' }), 'metadata.annotations["fault.weft.io/abort-status"]'],
    [route('GRPCRoute', { 'fault.weft.io/abort-status': '503' }), 'metadata.annotations["fault.weft.io/abort-status"]'],
    [route('HTTPRoute', { 'fault.weft.io/abort-status': '503', 'fault.weft.io/abort-percent': '120' }), 'metadata.annotations["fault.weft.io/abort-percent"]'],
    [route('HTTPRoute', { 'fault.weft.io/abort-percent': '10' }), 'metadata.annotations["fault.weft.io/abort-status"]'],
    [route('HTTPRoute', { 'fault.weft.io/delay': 'soon' }), 'metadata.annotations["fault.weft.io/delay"]'],
    [route('HTTPRoute', { 'fault.weft.io/delay-percent': '5' }), 'metadata.annotations["fault.weft.io/delay"]'],
    [route('HTTPRoute', { 'fault.weft.io/abrot-status': '500' }), 'metadata.annotations["fault.weft.io/abrot-status"]'],
  ];
  for (const [yaml, field] of cases) {
    const err = fieldError(yaml);
    assert.equal(err.fieldPath, field, `${yaml}\n-> ${err.message}`);
  }
});

test('URLRewrite is read from the Gateway API field urlRewrite', () => {
  const ok = route('HTTPRoute', {}, ', rules: [{filters: [{type: URLRewrite, urlRewrite: {hostname: a.example, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}}]}]');
  const [r] = parseManifests(ok, 'ok.yaml') as HTTPRoute[];
  assert.deepEqual(r?.spec.rules[0]?.filters[0], { type: 'URLRewrite', hostname: 'a.example', path: { type: 'ReplacePrefixMatch', value: '/v2' } });
  const err = fieldError(route('HTTPRoute', {}, ', rules: [{filters: [{type: URLRewrite}]}]'));
  assert.equal(err.fieldPath, 'spec.rules[0].filters[0].urlRewrite');
});
