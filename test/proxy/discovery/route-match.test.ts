import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyResponse, matchRoute, matchesRequest, pathOf } from '../../../src/proxy/discovery/route-match.js';
import type { ProfileRoute, RequestMatch } from '../../../src/proxy/discovery/types.js';

const route = (name: string, condition: RequestMatch, classes: ProfileRoute['responseClasses'] = []): ProfileRoute => ({
  name, condition, responseClasses: classes, labels: {}, isRetryable: false, timeoutMs: undefined,
});

test('first_matching_route_wins_with_all_any_not', () => {
  const routes = [
    route('not-health', { kind: 'all', matches: [{ kind: 'method', method: 'GET' }, { kind: 'not', match: { kind: 'path', regex: /^(?:\/health)$/ } }] }),
    route('any', { kind: 'any', matches: [{ kind: 'method', method: 'POST' }, { kind: 'method', method: 'GET' }] }),
  ];
  assert.equal(matchRoute(routes, { method: 'GET', path: '/a' })?.name, 'not-health');
  assert.equal(matchRoute(routes, { method: 'get', path: '/health' })?.name, 'any');
  assert.equal(matchRoute(routes, { method: 'PUT', path: '/a' }), undefined);
  assert.equal(matchesRequest({ kind: 'all', matches: [] }, { method: 'GET', path: '/' }), true);
  assert.equal(pathOf('/a/b?x=1#f'), '/a/b');
});

test('response_classes_first_match_then_5xx_default', () => {
  const r = route('r', { kind: 'method', method: 'GET' }, [
    { condition: { kind: 'status', min: 503, max: 503 }, isFailure: false },
    { condition: { kind: 'any', matches: [{ kind: 'status', min: 500, max: 599 }, { kind: 'status', min: 429, max: 429 }] }, isFailure: true },
  ]);
  assert.equal(classifyResponse(r, 503), 'success');
  assert.equal(classifyResponse(r, 502), 'failure');
  assert.equal(classifyResponse(r, 429), 'failure');
  assert.equal(classifyResponse(r, 200), 'success');
  assert.equal(classifyResponse(undefined, 500), 'failure');
  assert.equal(classifyResponse(undefined, 404), 'success');
});
