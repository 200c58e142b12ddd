// The vote-bot's bound on outstanding requests and its summaries, and the voting service's
// failure rule with an injected rng.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseVoteBotConfig } from '../../examples/demo/config.js';
import { startVoteBot, summaryFields } from '../../examples/demo/vote-bot.js';
import { Ballot } from '../../examples/demo/voting.js';
import { seededRng } from '../../examples/demo/rng.js';
import { memoryLogger } from './demo-helpers.js';

test('vote-bot keeps at most MAX_IN_FLIGHT requests outstanding and skips ticks beyond', async (t) => {
  let received = 0;
  // A web that never answers: every request stays outstanding until the bot's timeout.
  const server = createServer(() => { received++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const { log, lines } = memoryLogger('vote-bot');
  const bot = startVoteBot(parseVoteBotConfig({
    WEB_ADDR: `127.0.0.1:${port}`, RATE: '200', MAX_IN_FLIGHT: '2', UPSTREAM_TIMEOUT_MS: '300', SUMMARY_INTERVAL_MS: '60000',
  }), log, { rng: seededRng(1) });
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(received, 2);
  assert.ok(bot.totals().skipped > 5, `skipped ${bot.totals().skipped}`);
  const totals = await bot.stop();
  assert.equal(totals.sent, 2);
  assert.equal(totals.failed, 2);
  assert.deepEqual(totals.byCause, { WEFT_ERR_DEMO_TIMEOUT: 2 });
  assert.match(lines.at(-1) ?? '', /summary .*sent=2 .*failed=2 causes="WEFT_ERR_DEMO_TIMEOUT:2"/);
});

test('summary fields: per-window counts and rate, failures by cause, running totals', () => {
  const window = { sent: 40, ok: 36, failed: 4, skipped: 1, byCause: { 500: 3, ECONNRESET: 1 } };
  const totals = { sent: 120, ok: 110, failed: 10, skipped: 1, byCause: {} };
  assert.deepEqual(summaryFields(window, 5, totals), {
    window_s: 5, sent: 40, rps: 8, ok: 36, failed: 4, causes: '500:3,ECONNRESET:1', skipped: 1, total_sent: 120, total_failed: 10,
  });
  assert.equal('causes' in summaryFields({ ...window, byCause: {} }, 5, totals), false);
});

test('ballot: only FAIL_ITEM fails, at FAIL_RATE of its votes, from the injected rng', () => {
  const n = 1000;
  const count = (rate: number, item: string, seed = 42): number => {
    const b = new Ballot('socks', rate, seededRng(seed));
    let failed = 0;
    for (let i = 0; i < n; i++) if (b.vote(item) === undefined) failed++;
    return failed;
  };
  assert.equal(count(0, 'socks'), 0);
  assert.equal(count(1, 'socks'), n);
  assert.equal(count(1, 'yarn'), 0);
  const quarter = count(0.25, 'socks');
  assert.ok(quarter > 0.2 * n && quarter < 0.3 * n, `failed ${quarter} of ${n}`);
  // Same seed, same failures: tests can rely on exact counts.
  assert.equal(count(0.25, 'socks'), quarter);
});

test('ballot: results sorted by votes, watchers told of each change until they stop', () => {
  const b = new Ballot('socks', 0, seededRng(1));
  const seen: number[] = [];
  const stop = b.watch((r) => seen.push(r.results.length));
  b.vote('yarn');
  b.vote('hat');
  b.vote('hat');
  stop();
  b.vote('coat');
  assert.deepEqual(seen, [1, 2, 2]);
  assert.deepEqual(b.results().results, [
    { itemId: 'hat', votes: 2 }, { itemId: 'coat', votes: 1 }, { itemId: 'yarn', votes: 1 },
  ]);
});
