// `vote-bot`: a load generator for the demo. Calls web's API at RATE requests per second
// (mostly votes for a random item, every tenth a results read), never more than MAX_IN_FLIGHT
// at once (a tick that would exceed it is counted as skipped, so a slow mesh cannot make the bot
// pile up requests), and logs a one-line summary every SUMMARY_INTERVAL_MS until stopped.
import type { Logger } from '../../src/lib/log.js';
import type { VoteBotConfig } from './config.js';
import { JsonHttpClient } from './http-client.js';
import type { Rng } from './rng.js';

export interface VoteBotDeps {
  readonly rng?: Rng;
  readonly now?: () => number;
}

export interface BotCounts {
  sent: number;
  ok: number;
  failed: number;
  skipped: number;
  /** Failures by HTTP status, or by error code when there was no response. */
  readonly byCause: Record<string, number>;
}

export interface VoteBot {
  /** Totals since start (a copy). */
  totals(): BotCounts;
  /** Stops ticking, waits for outstanding requests, logs a last summary; returns the totals. */
  stop(): Promise<BotCounts>;
}

function zero(): BotCounts {
  return { sent: 0, ok: 0, failed: 0, skipped: 0, byCause: {} };
}

function copy(c: BotCounts): BotCounts {
  return { ...c, byCause: { ...c.byCause } };
}

/** One summary line's fields. */
export function summaryFields(window: BotCounts, seconds: number, totals: BotCounts): Record<string, unknown> {
  const causes = Object.entries(window.byCause).map(([k, v]) => `${k}:${v}`).join(',');
  return {
    window_s: Number(seconds.toFixed(1)),
    sent: window.sent,
    rps: Number((window.sent / Math.max(seconds, 0.001)).toFixed(1)),
    ok: window.ok,
    failed: window.failed,
    ...(causes ? { causes } : {}),
    skipped: window.skipped,
    total_sent: totals.sent,
    total_failed: totals.failed,
  };
}

export function startVoteBot(cfg: VoteBotConfig, log: Logger, deps: VoteBotDeps = {}): VoteBot {
  const rng = deps.rng ?? Math.random;
  const now = deps.now ?? Date.now;
  const http = new JsonHttpClient('web', cfg.web, cfg.http);
  const totals = zero();
  let window = zero();
  let windowStart = now();
  let inFlight = 0;
  let tick = 0;
  let itemIds: string[] = [];
  const idle: (() => void)[] = [];

  function count(ok: boolean, cause?: string): void {
    for (const c of [totals, window]) {
      if (ok) c.ok++;
      else {
        c.failed++;
        if (cause) c.byCause[cause] = (c.byCause[cause] ?? 0) + 1;
      }
    }
  }

  /** The next request: the item list until we have one, then votes with a results read in ten. */
  function next(): { method: string; path: string } {
    if (itemIds.length === 0 || tick % 50 === 0) return { method: 'GET', path: '/api/items' };
    if (tick % 10 === 0) return { method: 'GET', path: '/api/results' };
    const id = itemIds[Math.floor(rng() * itemIds.length)] as string;
    return { method: 'POST', path: `/api/vote/${encodeURIComponent(id)}` };
  }

  async function send(): Promise<void> {
    const req = next();
    tick++;
    totals.sent++;
    window.sent++;
    try {
      const r = await http.call(req.path, { method: req.method, timeoutMs: cfg.timeoutMs });
      if (r.status >= 200 && r.status < 300) {
        count(true);
        const items = (r.body as { items?: { id?: unknown }[] } | undefined)?.items;
        if (req.path === '/api/items' && Array.isArray(items)) {
          itemIds = items.map((i) => i.id).filter((id): id is string => typeof id === 'string');
        }
      } else {
        count(false, String(r.status));
      }
    } catch (err) {
      const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : 'error';
      count(false, code);
    }
  }

  const ticker = setInterval(() => {
    if (inFlight >= cfg.maxInFlight) {
      totals.skipped++;
      window.skipped++;
      return;
    }
    inFlight++;
    void send().finally(() => {
      inFlight--;
      if (inFlight === 0) idle.splice(0).forEach((f) => f());
    });
  }, 1000 / cfg.rate);

  function summary(): void {
    const t = now();
    log.info('summary', summaryFields(window, (t - windowStart) / 1000, totals));
    window = zero();
    windowStart = t;
  }
  const reporter = setInterval(summary, cfg.summaryIntervalMs);

  log.info('started', { web: `${cfg.web.host}:${cfg.web.port}`, rate: cfg.rate, max_in_flight: cfg.maxInFlight });
  let stopped: Promise<BotCounts> | undefined;
  return {
    totals: () => copy(totals),
    stop: () => {
      stopped ??= (async () => {
        clearInterval(ticker);
        clearInterval(reporter);
        if (inFlight > 0) await new Promise<void>((resolve) => idle.push(resolve));
        summary();
        http.close();
        return copy(totals);
      })();
      return stopped;
    },
  };
}
