// An open-loop, constant-rate load generator (the role wrk2 plays; wrk2 is not in Debian).
// Request i is due at t0 + i/rate whatever happened before, and its latency is measured from
// that scheduled time, not from when it was actually sent: a stall in the path under test
// therefore shows up in the latency of every request it delayed (no coordinated omission).
// Run directly: node dist/bench/constant-rate.js --port 8080 --protocol h2c --rate 1000 --duration 10
// (--protocol http1 | h2c | grpc; grpc sends unary calls to GRPC_PATH and checks grpc-status).
import http from 'node:http';
import http2 from 'node:http2';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { BenchUsageError } from './errors.js';
import { GRPC_EMPTY_FRAME, GRPC_PATH, GRPC_REQUEST_HEADERS } from './grpc.js';
import { summarize, type LatencySummary } from './stats.js';
import { PROTOCOLS, type Protocol } from './types.js';

export interface RateOptions {
  readonly host: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly rate: number;
  readonly durationS: number;
  /** Requests due in the first warmupS seconds are sent but not measured. */
  readonly warmupS: number;
  readonly connections: number;
  /** How long to wait for stragglers after the last scheduled request. */
  readonly timeoutMs: number;
}

export interface RateResult extends LatencySummary {
  readonly scheduled: number;
  readonly completed: number;
  readonly errors: number;
  /** Completed measured requests per second of the measured period. */
  readonly achievedRps: number;
}

type Send = (done: (ok: boolean) => void) => void;

function http1Sender(o: RateOptions): { send: Send; close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const send: Send = (done) => {
    const req = http.request({ host: o.host, port: o.port, path: '/', agent }, (res) => {
      const ok = res.statusCode === 200;
      res.resume();
      res.once('end', () => done(ok));
      res.once('error', () => done(false));
    });
    req.once('error', () => done(false));
    req.end();
  };
  return { send, close: () => agent.destroy() };
}

function h2Sender(o: RateOptions, grpc: boolean): { send: Send; close: () => void } {
  const sessions = Array.from({ length: o.connections }, () => {
    const s = http2.connect(`http://${o.host}:${o.port}`);
    s.on('error', () => {});
    return s;
  });
  let rr = 0;
  const send: Send = (done) => {
    const s = sessions[rr++ % sessions.length] as http2.ClientHttp2Session;
    let status = 0;
    let grpcStatus: string | undefined;
    let finished = false;
    const finish = (ok: boolean): void => {
      if (!finished) {
        finished = true;
        done(ok);
      }
    };
    try {
      const req = grpc
        ? s.request({ ':method': 'POST', ':path': GRPC_PATH, ...GRPC_REQUEST_HEADERS })
        : s.request({ ':path': '/' });
      req.once('response', (h) => (status = Number(h[':status'])));
      if (grpc) req.once('trailers', (h) => (grpcStatus = String(h['grpc-status'])));
      req.resume();
      req.once('end', () => finish(status === 200 && (!grpc || grpcStatus === '0')));
      req.end(grpc ? GRPC_EMPTY_FRAME : undefined);
      req.once('error', () => finish(false));
      req.once('close', () => finish(false));
    } catch {
      finish(false);
    }
  };
  return { send, close: () => sessions.forEach((s) => s.destroy()) };
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export async function runConstantRate(o: RateOptions): Promise<RateResult> {
  const intervalMs = 1000 / o.rate;
  const count = Math.round(o.rate * (o.warmupS + o.durationS));
  const firstMeasured = Math.round(o.rate * o.warmupS);
  const sender = o.protocol === 'http1' ? http1Sender(o) : h2Sender(o, o.protocol === 'grpc');
  // Let h2 sessions connect before the clock starts.
  await new Promise((r) => setTimeout(r, 100));
  const t0Ms = nowMs() + 50;
  const samples = new Float64Array(count - firstMeasured);
  let measured = 0;
  let completed = 0;
  let errors = 0;
  let next = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((r) => (allDone = r));
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const ticker = new Worker(new URL('./ticker-worker.js', import.meta.url), { workerData: { t0Ms, intervalMs, count, stop } });
  ticker.on('message', (due: number) => {
    for (; next <= due; next++) {
      const i = next;
      const scheduled = t0Ms + i * intervalMs;
      sender.send((ok) => {
        completed++;
        if (!ok) errors++;
        else if (i >= firstMeasured) samples[measured++] = nowMs() - scheduled;
        if (completed === count) allDone();
      });
    }
  });
  const lastDue = t0Ms + count * intervalMs - nowMs();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, lastDue + o.timeoutMs)))]);
  clearTimeout(timer);
  Atomics.store(stop, 0, 1);
  Atomics.notify(stop, 0);
  await ticker.terminate();
  sender.close();
  return {
    ...summarize(samples.subarray(0, measured)),
    scheduled: count,
    completed,
    errors: errors + (count - completed),
    achievedRps: measured / o.durationS,
  };
}

function cli(argv: readonly string[]): RateOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      protocol: { type: 'string', default: 'http1' },
      rate: { type: 'string', default: '1000' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '1' },
      connections: { type: 'string', default: '10' },
      'timeout-ms': { type: 'string', default: '2000' },
    },
  });
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new BenchUsageError(`--${name}: expected a number, got "${v}"`);
    return n;
  };
  const protocol = PROTOCOLS.find((p) => p === values.protocol);
  if (!protocol) throw new BenchUsageError(`--protocol: one of ${PROTOCOLS.join(', ')}`);
  return Object.freeze({
    host: values.host as string,
    port: num('port', values.port),
    protocol,
    rate: num('rate', values.rate),
    durationS: num('duration', values.duration),
    warmupS: num('warmup', values.warmup),
    connections: Math.max(1, num('connections', values.connections)),
    timeoutMs: num('timeout-ms', values['timeout-ms']),
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runConstantRate(cli(process.argv.slice(2))).then(
    (r) => console.log(JSON.stringify(r)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
