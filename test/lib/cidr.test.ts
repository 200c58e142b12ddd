// CidrSet's own matching (plain JS over 32-bit words) agrees with node:net's BlockList, the
// reference it replaced for speed, on IPv4, IPv6, IPv4-mapped and compressed forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { CidrSet, parseCidr, type Cidr } from '../../src/lib/cidr.js';
import { mulberry32 } from '../../bench/fuzz/mutate.js';

const cidr = (s: string): Cidr => {
  const c = parseCidr(s);
  assert.ok(c, s);
  return c;
};

test('matches what it should, and nothing else', () => {
  const s = new CidrSet([cidr('10.0.0.0/8'), cidr('192.168.1.7'), cidr('fd00::/8'), cidr('2001:db8:0:1::/64')]);
  for (const ip of ['10.0.0.1', '10.255.255.255', '192.168.1.7', '::ffff:10.1.2.3', 'fd12::1', '2001:db8:0:1:ffff::9', '2001:db8:0:1::']) assert.ok(s.has(ip), ip);
  for (const ip of ['11.0.0.1', '192.168.1.8', '9.255.255.255', 'fe00::1', '2001:db8:0:2::1', '', 'not-an-ip', '10.0.0', '010.0.0.1', '2001:db8::1:0:0:1', '1.2.3.256', '1.2.3.4.5', '::ffff:11.0.0.1']) assert.ok(!s.has(ip), ip);
  assert.ok(new CidrSet([cidr('0.0.0.0/0')]).has('203.0.113.9'));
  assert.ok(!new CidrSet([cidr('0.0.0.0/0')]).has('2001:db8::1'), 'an IPv4 block holds no native IPv6 address');
  assert.ok(new CidrSet([cidr('::/0')]).has('2001:db8::1'));
  assert.ok(!new CidrSet([]).has('10.0.0.1'));
  assert.ok(new CidrSet([cidr('::ffff:0:0/96')]).has('127.0.0.1'), 'IPv4 is its mapped form');
});

test('agrees with node:net BlockList on random blocks and addresses', () => {
  const rnd = mulberry32(12);
  const byte = (): number => Math.floor(rnd() * 256);
  const v4 = (): string => [byte(), byte() & 0x0f, byte(), byte()].join('.');
  const hex = (): string => Math.floor(rnd() * 0x10000).toString(16);
  const v6 = (): string => (rnd() < 0.5 ? `2001:db8:${hex()}::${hex()}` : `fd00:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}`);
  for (let round = 0; round < 200; round++) {
    const four = rnd() < 0.5;
    const base = four ? v4() : v6();
    const prefix = Math.floor(rnd() * (four ? 33 : 129));
    const set = new CidrSet([cidr(`${base}/${prefix}`)]);
    const ref = new BlockList();
    ref.addSubnet(base, prefix, four ? 'ipv4' : 'ipv6');
    for (let i = 0; i < 50; i++) {
      const ip = four ? (i === 0 ? base : v4()) : i === 0 ? base : v6();
      assert.equal(set.has(ip), ref.check(ip, four ? 'ipv4' : 'ipv6'), `${ip} in ${base}/${prefix}`);
    }
  }
});
