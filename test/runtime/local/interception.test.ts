// Transparent interception end to end, with real iptables and real network namespaces: two
// namespaces on a test bridge; weft's rules in "a", where a listener (as the proxy uid) on
// 4140/4143/4191 reports what SoOriginalDst saw; an application server in "b".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SoOriginalDst } from '../../../src/proxy/tcp/so-original-dst.js';
import { interceptionConfig } from '../../../src/runtime/local/iptables-rules.js';
import type { IptablesTarget } from '../../../src/runtime/local/iptables.js';
import { applyInterception, iptablesTool, readNat, removeInterception } from '../../../src/runtime/local/iptables.js';
import { addVeth, cleanupAll, createNamespace, ensureBridge, netnsSupport } from '../../../src/runtime/local/netns.js';
import { connectFrom, startFixture } from './fixtures/spawn.js';

const PROXY_UID = 2102;
const APP_PORT = 8080;
const SKIP_PORT = 9090;

async function skipReason(): Promise<string | false> {
  const support = await netnsSupport();
  if (!support.ok) return `needs root and ip netns: ${support.reason}`;
  const odst = new SoOriginalDst().isAvailable();
  if (!odst.available) return odst.reason;
  return false;
}

const backends = ['iptables-nft', 'iptables-legacy'].filter((b) => existsSync(`/usr/sbin/${b}`) || existsSync(`/sbin/${b}`));

/** iptables-save output without the parts that change on their own (comments, counters). */
function normalize(save: string): string {
  return save
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/, '[0:0]'))
    .join('\n');
}

describe('transparent interception in network namespaces', { skip: await skipReason() }, () => {
  const prefix = `wt-${process.pid}-`;
  const nsA = `${prefix}a`;
  const nsB = `${prefix}b`;
  const net = `10.78.${process.pid % 250}`;
  const ipA = `${net}.2`;
  const ipB = `${net}.3`;
  const net6 = `fd77:${((process.pid % 65535) + 1).toString(16)}:`;
  const ip6A = `${net6}:2`;
  const ip6B = `${net6}:3`;
  const children: ChildProcess[] = [];
  const config = interceptionConfig({ proxyUid: PROXY_UID, skipOutboundPorts: [{ from: SKIP_PORT, to: SKIP_PORT }] });

  before(async () => {
    await cleanupAll(prefix);
    await ensureBridge(`${prefix}br`, `${net}.1/24`, `${net6}:1/64`);
    for (const [ns, addr, addr6, veth] of [[nsA, ipA, ip6A, 'va'], [nsB, ipB, ip6B, 'vb']] as const) {
      await createNamespace(ns);
      await addVeth({
        netns: ns,
        hostIf: `${prefix}${veth}`,
        bridge: `${prefix}br`,
        cidr: `${addr}/24`,
        gateway: `${net}.1`,
        cidr6: `${addr6}/64`,
      });
    }
    children.push(await startFixture(nsA, 'odst-listener', ['4140', '4143', '4191'], { uid: PROXY_UID, gid: PROXY_UID }));
    children.push(await startFixture(nsB, 'tcp-server', [String(APP_PORT), String(SKIP_PORT)]));
  });

  after(async () => {
    for (const c of children) c.kill();
    const removed = await cleanupAll(prefix);
    assert.ok(removed.namespaces.includes(nsA));
  });

  for (const backend of backends) {
    describe(backend, () => {
      const target: IptablesTarget = { tool: iptablesTool(backend), netns: nsA, ipv6: true };
      let baseline = '';
      let baseline6 = '';

      before(async () => {
        baseline = normalize(await readNat(target));
        baseline6 = normalize(await readNat(target, 6));
        await applyInterception(config, target);
      });
      after(async () => {
        await removeInterception(target).catch(() => undefined);
      });

      test('outbound connection lands on 4140 with SO_ORIGINAL_DST = the dialled ip:port', async () => {
        const r = await connectFrom(nsA, ipB, APP_PORT);
        assert.deepEqual(r, { by: 'listener', port: 4140, original: { host: ipB, port: APP_PORT }, uid: PROXY_UID });
      });

      test('outbound connection to a skip port bypasses the proxy', async () => {
        const r = await connectFrom(nsA, ipB, SKIP_PORT);
        assert.equal(r.by, 'server');
        assert.equal(r.port, SKIP_PORT);
      });

      test("the proxy uid's own connections are not redirected (no loop)", async () => {
        const r = await connectFrom(nsA, ipB, APP_PORT, { uid: PROXY_UID, gid: PROXY_UID });
        assert.equal(r.by, 'server');
        assert.equal(r.port, APP_PORT);
      });

      test('loopback connections are not redirected and have no original destination', async () => {
        const r = await connectFrom(nsA, '127.0.0.1', 4191);
        assert.equal(r.by, 'listener');
        assert.equal(r.port, 4191);
        assert.equal(r.original, null);
      });

      test('inbound connection on an app port lands on 4143 with SO_ORIGINAL_DST = the app port', async () => {
        const r = await connectFrom(nsB, ipA, APP_PORT);
        assert.equal(r.by, 'listener');
        assert.equal(r.port, 4143);
        assert.deepEqual(r.original, { host: ipA, port: APP_PORT });
      });

      test('inbound connection to the admin port 4191 is not redirected', async () => {
        const r = await connectFrom(nsB, ipA, 4191);
        assert.equal(r.port, 4191);
        assert.equal(r.original, null);
      });

      test('IPv6: outbound lands on 4140 and inbound on 4143 with the [v6]:port dialled', async () => {
        const out = await connectFrom(nsA, ip6B, APP_PORT);
        assert.equal(out.port, 4140);
        assert.deepEqual(out.original, { host: ip6B, port: APP_PORT });
        const skipped = await connectFrom(nsA, ip6B, SKIP_PORT);
        assert.equal(skipped.by, 'server');
        const inbound = await connectFrom(nsB, ip6A, APP_PORT);
        assert.equal(inbound.port, 4143);
        assert.deepEqual(inbound.original, { host: ip6A, port: APP_PORT });
      });

      test('applying twice leaves one set of rules', async () => {
        const once = normalize(await readNat(target));
        await applyInterception(config, target);
        assert.equal(normalize(await readNat(target)), once);
        assert.equal(once.split('\n').filter((l) => l.includes('-j WEFT_PROXY_INIT_OUTPUT')).length, 1);
        const r = await connectFrom(nsA, ipB, APP_PORT);
        assert.equal(r.port, 4140);
      });

      test('remove leaves the nat table as it was, and traffic flows directly again', async () => {
        assert.equal(await removeInterception(target), true);
        assert.equal(normalize(await readNat(target)), baseline);
        assert.equal(normalize(await readNat(target, 6)), baseline6);
        assert.equal(await removeInterception(target), false);
        const r = await connectFrom(nsA, ipB, APP_PORT);
        assert.equal(r.by, 'server');
      });
    });
  }
});
