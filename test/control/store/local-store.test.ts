import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/control/store/local-store.js';
import { parseManifests } from '../../../src/control/store/manifest.js';
import type { WatchEvent, Service } from '../../../src/control/store/types.js';

const svc = (name: string, port = 80): Service =>
  parseManifests(`apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: ${port}}]}\n`, 't')[0] as Service;

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function collector(): { events: WatchEvent[]; next(pred: (e: WatchEvent) => boolean): Promise<WatchEvent>; on(e: WatchEvent): void } {
  const events: WatchEvent[] = [];
  const waiters: { pred: (e: WatchEvent) => boolean; resolve: (e: WatchEvent) => void }[] = [];
  return {
    events,
    on(e) {
      events.push(e);
      for (const w of [...waiters]) if (w.pred(e)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(e); }
    },
    next(pred) {
      const seen = events.find(pred);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

test('persists_across_restart_with_resource_versions', async (t) => {
  const dir = await tempDir(t);
  const s1 = await LocalStore.open(dir, { follow: false });
  const [a] = await s1.apply([svc('a')]);
  const [b] = await s1.apply([svc('b')]);
  assert.ok(Number(b!.metadata.resourceVersion) > Number(a!.metadata.resourceVersion));
  await s1.close();
  const s2 = await LocalStore.open(dir, { follow: false });
  t.after(() => s2.close());
  const got = await s2.get('Service', 'default', 'a');
  assert.equal(got?.metadata.resourceVersion, a!.metadata.resourceVersion);
  assert.deepEqual((await s2.list('Service')).items.map((s) => s.metadata.name).sort(), ['a', 'b']);
  assert.equal((await s2.delete([{ kind: 'Service', namespace: 'default', name: 'a' }])).length, 1);
  assert.equal(await s2.get('Service', 'default', 'a'), undefined);
});

test('watch_sends_initial_list_synced_then_deltas', async (t) => {
  const dir = await tempDir(t);
  const s = await LocalStore.open(dir, { follow: false });
  t.after(() => s.close());
  await s.apply([svc('a')]);
  const c = collector();
  const w = s.watch('Service', c.on);
  t.after(() => w.close());
  await c.next((e) => e.type === 'SYNCED');
  assert.deepEqual(c.events.map((e) => e.type), ['ADDED', 'SYNCED']);
  await s.apply([svc('a', 81)]);
  await s.apply([svc('b')]);
  await s.delete([{ kind: 'Service', namespace: 'default', name: 'a' }]);
  assert.deepEqual(c.events.map((e) => (e.type === 'SYNCED' ? e.type : `${e.type} ${e.object.metadata.name}`)),
    ['ADDED a', 'SYNCED', 'MODIFIED a', 'ADDED b', 'DELETED a']);
  // Versions only go up, deletions included.
  const rvs = c.events.flatMap((e) => (e.type === 'SYNCED' ? [] : [Number(e.object.metadata.resourceVersion)]));
  assert.deepEqual(rvs, [...rvs].sort((x, y) => x - y));
});

test('watch_from_resource_version_replays_only_later_changes', async (t) => {
  const dir = await tempDir(t);
  const s = await LocalStore.open(dir, { follow: false });
  t.after(() => s.close());
  await s.apply([svc('a')]);
  const { resourceVersion } = await s.list('Service');
  await s.apply([svc('b')]);
  const c = collector();
  const w = s.watch('Service', c.on, { resourceVersion });
  t.after(() => w.close());
  await c.next((e) => e.type === 'SYNCED');
  assert.deepEqual(c.events.map((e) => e.type === 'SYNCED' ? 'SYNCED' : `${e.type} ${e.object.metadata.name}`), ['ADDED b', 'SYNCED']);
});

test('a_second_process_store_sees_writes_live', async (t) => {
  const dir = await tempDir(t);
  const reader = await LocalStore.open(dir, { pollMs: 200 });
  t.after(() => reader.close());
  const c = collector();
  const w = reader.watch('Service', c.on);
  t.after(() => w.close());
  await c.next((e) => e.type === 'SYNCED');
  const writer = await LocalStore.open(dir, { follow: false });
  await writer.apply([svc('live')]);
  await writer.close();
  const e = await c.next((x) => x.type === 'ADDED');
  assert.equal(e.type === 'ADDED' && e.object.metadata.name, 'live');
});

test('commit_deletes_and_applies_as_one_change', async (t) => {
  const dir = await tempDir(t);
  const s = await LocalStore.open(dir, { follow: false });
  t.after(() => s.close());
  await s.apply([svc('old')]);
  const c = collector();
  const w = s.watch('Service', c.on);
  t.after(() => w.close());
  await c.next((e) => e.type === 'SYNCED');
  const before = s.resourceVersion;
  const r = await s.commit({ delete: [{ kind: 'Service', namespace: 'default', name: 'old' }], apply: [svc('new')] });
  assert.equal(r.deleted.length, 1);
  assert.equal(r.applied.length, 1);
  assert.equal(Number(s.resourceVersion), Number(before) + 2);
  assert.deepEqual(c.events.slice(2).map((e) => (e.type === 'SYNCED' ? e.type : `${e.type} ${e.object.metadata.name}`)), ['ADDED new', 'DELETED old']);
});
