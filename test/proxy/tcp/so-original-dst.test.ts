// SoOriginalDst: the real addon on real sockets where no redirect happened (the redirected
// case runs in network namespaces: test/runtime/local/interception.test.ts), and the mapping
// of the addon's answers (IPv4, IPv6, "the listener itself", errors) with a stand-in addon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { errorCode } from '../../../src/lib/errors.js';
import type { NativeAddon, NativeOriginalDst } from '../../../src/proxy/tcp/so-original-dst.js';
import { loadNativeAddon, SoOriginalDst, socketFd } from '../../../src/proxy/tcp/so-original-dst.js';

const real = new SoOriginalDst().isAvailable();
const skipNative = real.available ? false : real.reason;

/** Accepts one connection on host and hands the server-side socket to fn. */
async function withAccepted<T>(host: string, fn: (socket: Socket) => T): Promise<T> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, host);
  try {
    const [socket] = (await once(server, 'connection')) as [Socket];
    try {
      return fn(socket);
    } finally {
      socket.destroy();
    }
  } finally {
    client.destroy();
    server.close();
  }
}

test('the addon answers null or the listener itself for a connection that was not redirected', { skip: skipNative }, async () => {
  const addon = loadNativeAddon();
  for (const host of ['127.0.0.1', '::1']) {
    await withAccepted(host, (socket) => {
      const fd = socketFd(socket);
      assert.equal(typeof fd, 'number');
      const raw = addon.getOriginalDst(fd as number);
      // null without conntrack; with it, the entry's destination is the listener's own address.
      if (raw !== null) {
        assert.deepEqual(raw, { host, port: socket.localPort, family: host === '::1' ? 'IPv6' : 'IPv4' });
      }
      assert.equal(new SoOriginalDst({ addon }).lookup(socket), undefined);
    });
  }
});

test('the addon rejects bad file descriptors with a code', { skip: skipNative }, () => {
  const addon = loadNativeAddon();
  assert.throws(() => addon.getOriginalDst(-1), (e: unknown) => errorCode(e) === 'ERR_INVALID_ARG_TYPE');
  assert.throws(() => (addon.getOriginalDst as (fd: unknown) => unknown)('3'), (e: unknown) => errorCode(e) === 'ERR_INVALID_ARG_TYPE');
  assert.throws(() => addon.getOriginalDst(1_000_000), (e: unknown) => errorCode(e) === 'EBADF');
});

function fakeAddon(answer: (fd: number) => NativeOriginalDst | null): NativeAddon {
  return { getOriginalDst: answer };
}

test('IPv4 and IPv6 answers become addresses; v4-mapped hosts are unmapped', async () => {
  await withAccepted('127.0.0.1', (socket) => {
    const v6 = new SoOriginalDst({ addon: fakeAddon(() => ({ host: 'fd77::3', port: 8080, family: 'IPv6' })) });
    assert.deepEqual(v6.lookup(socket), { host: 'fd77::3', port: 8080 });
    const mapped = new SoOriginalDst({ addon: fakeAddon(() => ({ host: '::ffff:10.0.0.7', port: 80, family: 'IPv6' })) });
    assert.deepEqual(mapped.lookup(socket), { host: '10.0.0.7', port: 80 });
    const none = new SoOriginalDst({ addon: fakeAddon(() => null) });
    assert.equal(none.lookup(socket), undefined);
  });
});

test("an original destination equal to the proxy's own listener means no redirect: undefined", async () => {
  await withAccepted('127.0.0.1', (socket) => {
    const self = new SoOriginalDst({ addon: fakeAddon(() => ({ host: '127.0.0.1', port: socket.localPort as number, family: 'IPv4' })) });
    assert.equal(self.lookup(socket), undefined);
  });
});

test('addon errors are reported and the lookup answers undefined', async () => {
  const errors: unknown[] = [];
  const failing = new SoOriginalDst({
    addon: fakeAddon(() => {
      throw Object.assign(new Error('boom'), { code: 'EBADF' });
    }),
    onError: (e) => errors.push(e),
  });
  await withAccepted('127.0.0.1', (socket) => assert.equal(failing.lookup(socket), undefined));
  assert.equal(errors.length, 1);
});

test('a socket without an OS handle has no original destination', () => {
  const odst = new SoOriginalDst({ addon: fakeAddon(() => assert.fail('must not be called')) });
  const detached = { _handle: null } as unknown as Socket;
  assert.equal(socketFd(detached), undefined);
  assert.equal(odst.lookup(detached), undefined);
});

test('a missing addon makes isAvailable say why, and lookups answer undefined', () => {
  const odst = new SoOriginalDst({ addonPath: '/nonexistent/weft_native.node' });
  const a = odst.isAvailable();
  assert.equal(a.available, false);
  assert.match(a.available ? '' : a.reason, /\/nonexistent\/weft_native\.node/);
  assert.throws(() => loadNativeAddon('/nonexistent/weft_native.node'), (e: unknown) => errorCode(e) === 'WEFT_ERR_NATIVE_UNAVAILABLE');
  assert.equal(odst.lookup({ _handle: { fd: 3 } } as unknown as Socket), undefined);
});
