// A control-plane channel whose TCP connect hangs is replaced (src/proxy/control-channel.ts).
// On a real node a proxy followed endpoint changes again only 60-125 s after the destination pod
// restarted: grpc-js gives a connect no timeout, and a connect begun while kube-proxy still mapped
// the Service IP to the deleted pod retransmitted its SYN on the same conntrack entry, to that
// pod, for the kernel's ~127 s. Rebuilt in a network namespace of the test's own with iptables
// (fixtures/stale-service-ip.ts): with the 3 s connect timeout the client gets its answer from
// the new pod within seconds; with the timeout out of the way (120 s) it does not in 15 s (SYN retransmits at 1, 3 and 7 s all go to the old pod),
// which shows the fixture reproduces the fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { run as runCommand } from '../../../src/runtime/local/exec.js';
import { createNamespace, deleteNamespace, netnsSupport } from '../../../src/runtime/local/netns.js';

const support = await netnsSupport();
const skip = support.ok ? false : `needs root and ip netns: ${support.reason}`;
const fixture = fileURLToPath(new URL('./fixtures/stale-service-ip.js', import.meta.url));

async function run(name: string, connectTimeoutMs: number): Promise<{ answered: boolean; ms: number; endpoints: number }> {
  const ns = `wcc-${name}-${process.pid}`;
  await createNamespace(ns);
  try {
    const r = await runCommand('ip', ['netns', 'exec', ns, process.execPath, fixture, String(connectTimeoutMs)], { timeoutMs: 45_000 });
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { answered: boolean; ms: number; endpoints: number };
  } finally {
    await deleteNamespace(ns);
  }
}

test('a destination channel stuck connecting to a Service IP\'s old pod is replaced, and the new pod answers within seconds', { skip, timeout: 90_000 }, async (t) => {
  const [fixed, stuck] = await Promise.all([run('fix', 3000), run('stuck', 120_000)]);
  t.diagnostic(`connect timeout 3 s: ${JSON.stringify(fixed)}; none: ${JSON.stringify(stuck)}`);
  assert.equal(stuck.answered, false, 'without the timeout the stale mapping holds the channel: the fixture reproduces the fault');
  assert.equal(fixed.answered, true);
  assert.ok(fixed.ms < 10_000, `answered after ${fixed.ms} ms`);
  assert.equal(fixed.endpoints, 2);
});
