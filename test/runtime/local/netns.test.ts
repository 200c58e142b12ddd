// The netns helpers against the real kernel (root and `ip netns` needed, else skipped).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { errorCode } from '../../../src/lib/errors.js';
import {
  addVeth,
  cleanupAll,
  createNamespace,
  deleteLink,
  deleteNamespace,
  ensureBridge,
  execInNamespace,
  listLinks,
  listNamespaces,
  netnsArgv,
  netnsSupport,
} from '../../../src/runtime/local/netns.js';
import { connectFrom } from './fixtures/spawn.js';

const support = await netnsSupport();

test('names are validated before anything runs', async () => {
  await assert.rejects(createNamespace('bad name; rm -rf /'), (e: unknown) => errorCode(e) === 'WEFT_ERR_CONFIG');
  await assert.rejects(ensureBridge('a-name-longer-than-15'), (e: unknown) => errorCode(e) === 'WEFT_ERR_CONFIG');
  await assert.rejects(cleanupAll(''), (e: unknown) => errorCode(e) === 'WEFT_ERR_CONFIG');
});

test('netnsArgv drops privileges with setpriv only when asked', () => {
  assert.deepEqual(netnsArgv('ns1', 'node', ['x']), ['ip', ['netns', 'exec', 'ns1', 'node', 'x']]);
  assert.deepEqual(netnsArgv('ns1', 'id', [], { uid: 5, gid: 6 }), [
    'ip',
    ['netns', 'exec', 'ns1', 'setpriv', '--reuid', '5', '--regid', '6', '--clear-groups', '--', 'id'],
  ]);
});

describe('namespaces, bridge and veths', { skip: support.ok ? false : `needs root and ip netns: ${support.reason}` }, () => {
  const prefix = `wt-${process.pid}-n`;
  const net = `10.79.${process.pid % 250}`;
  after(() => cleanupAll(prefix));

  test('a namespace on the bridge reaches the gateway; commands run inside as a given uid', async () => {
    const ns = `${prefix}1`;
    await ensureBridge(`${prefix}br`, `${net}.1/24`);
    await ensureBridge(`${prefix}br`, `${net}.1/24`); // idempotent
    await createNamespace(ns);
    await addVeth({ netns: ns, hostIf: `${prefix}v1`, bridge: `${prefix}br`, cidr: `${net}.2/24`, gateway: `${net}.1` });
    assert.ok((await listNamespaces()).includes(ns));
    assert.ok((await listLinks()).includes(`${prefix}v1`));

    const { stdout: addrs } = await execInNamespace(ns, 'ip', ['-br', 'addr']);
    assert.match(addrs, /^lo\s+UNKNOWN/m);
    assert.match(addrs, new RegExp(`^eth0@\\S+\\s+UP\\s+${net.replace(/\./g, '\\.')}\\.2/24`, 'm'));
    const { stdout: route } = await execInNamespace(ns, 'ip', ['route', 'show', 'default']);
    assert.match(route, new RegExp(`default via ${net}\\.1`));
    // Over the veth and the bridge to a server in the root namespace, on the gateway address.
    const server = createServer((c) => c.end(JSON.stringify({ by: 'server', port: 0 }))).listen(0, `${net}.1`);
    await once(server, 'listening');
    try {
      const reply = await connectFrom(ns, `${net}.1`, (server.address() as AddressInfo).port);
      assert.equal(reply.by, 'server');
    } finally {
      server.close();
    }

    const { stdout: ids } = await execInNamespace(ns, 'id', ['-u'], { uid: 2102, gid: 2102 });
    assert.equal(ids.trim(), '2102');
  });

  test('deleting what is already gone is not an error', async () => {
    await deleteNamespace(`${prefix}gone`);
    await deleteLink(`${prefix}gone`);
  });

  test('cleanupAll removes every namespace and link with the prefix and nothing else', async () => {
    await createNamespace(`${prefix}2`);
    await createNamespace(`${prefix}3`);
    await ensureBridge(`${prefix}br`, `${net}.1/24`);
    await addVeth({ netns: `${prefix}3`, hostIf: `${prefix}v3`, bridge: `${prefix}br`, cidr: `${net}.3/24` });
    const before = await listNamespaces();
    const removed = await cleanupAll(prefix);
    assert.ok(removed.namespaces.includes(`${prefix}2`) && removed.namespaces.includes(`${prefix}3`));
    assert.ok(removed.links.includes(`${prefix}br`));
    assert.equal((await listNamespaces()).filter((n) => n.startsWith(prefix)).length, 0);
    assert.equal((await listLinks()).filter((l) => l.startsWith(prefix)).length, 0);
    assert.deepEqual(
      (await listNamespaces()).filter((n) => !n.startsWith(prefix)).sort(),
      before.filter((n) => !n.startsWith(prefix)).sort(),
    );
  });
});
