// Regression (issue 19, the second crash path): ERR_HTTP2_INVALID_SESSION thrown from
// H2SessionPool's 'connect' handler. Node delivers 'connect' to a client session even when the
// session was destroyed before its socket finished connecting; the pool's connect timeout does
// exactly that when the TCP handshake is slower than the timeout (a lost SYN here; under rapid
// reset, an event loop busy past the timeout), and setLocalWindowSize on the destroyed session
// threw. Reproduced for real: in a network namespace of the test's own, iptables drops the first
// SYN to the app, so the handshake completes at the retransmit (~1 s), after the 300 ms connect
// timeout. The request, never sent on the session that went, is sent again on a new one (the
// app's later SYNs pass) and answered; the late 'connect' counts no internal error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createNamespace, deleteNamespace, execInNamespace, netnsSupport } from '../../../src/runtime/local/netns.js';

const support = await netnsSupport();
const skip = support.ok ? false : `needs root and ip netns: ${support.reason}`;

test('an upstream session destroyed by the connect timeout before its socket connects: the request goes on a new session, no internal error when the socket connects later', { skip, timeout: 60_000 }, async (t) => {
  const ns = `wsec-lc-${process.pid}`;
  await createNamespace(ns);
  t.after(() => deleteNamespace(ns));
  const fixture = fileURLToPath(new URL('./fixtures/late-connect.js', import.meta.url));
  const r = await execInNamespace(ns, process.execPath, [fixture]);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { firstStatus: number; firstMs: number; internalErrors: number; alive: boolean; afterStatus: number; log: string[] };
  t.diagnostic(JSON.stringify(out));
  assert.equal(out.firstStatus, 200, 'the request was not sent again on a new session');
  assert.ok(out.firstMs < 1000, `answered after ${out.firstMs} ms: not before the SYN retransmit, so the timeout did not fire first`);
  assert.equal(out.internalErrors, 0, `the late 'connect' threw: ${out.log.join(' | ')}`);
  assert.equal(out.alive, true);
  assert.equal(out.afterStatus, 200);
});
