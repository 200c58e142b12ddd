// Regression (issue 19, item 6, on the plaintext inbound port; the outbound and meshed inbound
// ports are covered by test/proxy/http/h2-rapid-reset.test.ts, nghttp2's own GOAWAY after a
// connection error by h2-liveness.test.ts): a session the proxy GOAWAYs for a reset flood, with
// the rest of the flood still unread, is closed at once — not left in CLOSE_WAIT holding unread
// data until the 300 s idle timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { formatAddress } from '../../../src/lib/address.js';
import { run } from '../../helpers/exec.js';
import { FRAME, parseFrames, rapidResetBytes } from '../../helpers/h2-frames.js';
import { until } from '../../helpers/http-load.js';
import { startProxyProcess } from '../../helpers/proxy-process.js';
import { url } from '../../helpers/proxy.js';
import { h2Backend } from '../../helpers/servers.js';

test('a reset flood on the plaintext inbound port: GOAWAY, and the connection is closed within seconds', { timeout: 60_000 }, async (t) => {
  const app = await h2Backend();
  t.after(() => app.close());
  const p = await startProxyProcess(t, { WEFT_PROXY_IDENTITY_DISABLED: '1', WEFT_PROXY_INBOUND_DEFAULT_DST: formatAddress(app.addr) });
  const started = Date.now();
  const { answer, closedAfterMs } = await new Promise<{ answer: Buffer; closedAfterMs: number }>((resolve) => {
    const s = net.connect(p.inbound.port, p.inbound.host);
    const got: Buffer[] = [];
    const timer = setTimeout(() => s.destroy(), 20_000);
    s.on('data', (c: Buffer) => got.push(c));
    s.on('error', () => {});
    // The client never closes its side: only the proxy can end this connection.
    s.on('end', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ answer: Buffer.concat(got), closedAfterMs: Date.now() - started });
    });
    s.write(rapidResetBytes(3000));
  });
  const goaway = parseFrames(answer).filter((f) => f.type === FRAME.GOAWAY).map((f) => f.payload.readUInt32BE(4));
  // Ours (ENHANCE_YOUR_CALM), or on Node 24 nghttp2's own reset limit (INTERNAL_ERROR), which
  // trips while it parses the write, before the proxy sees the streams close.
  assert.ok(goaway.some((c) => c === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM || c === http2.constants.NGHTTP2_INTERNAL_ERROR), `GOAWAY codes ${goaway.join(',')}`);
  assert.ok(closedAfterMs < 5000, `the proxy kept the connection ${closedAfterMs} ms`);
  const openInbound = async (): Promise<number> => {
    const text = await (await fetch(url(p.admin, '/metrics'))).text();
    let sum = 0;
    for (const line of text.split('\n')) if (line.startsWith('tcp_open_connections{') && line.includes('direction="inbound"')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    return sum;
  };
  await until('inbound connections closed', async () => (await openInbound()) === 0, 3000);
  const ss = await run('ss', ['-H', '-t', '-n', 'state', 'close-wait', `( sport = :${p.inbound.port} )`]);
  assert.equal(ss.stdout.trim(), '', 'a socket left in CLOSE_WAIT');
  assert.ok(p.alive(), p.log());
});
