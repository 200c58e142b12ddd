// Drives the load tools against one address: wrk for HTTP/1.1, h2load for h2c and gRPC, and the
// constant-rate generator (a separate Node process, so the harness's own work never delays it).
import http from 'node:http';
import http2 from 'node:http2';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Address } from '../src/lib/address.js';
import { BenchTargetError, BenchToolError } from './errors.js';
import { GRPC_EMPTY_FRAME, GRPC_PATH, GRPC_REQUEST_HEADERS, writeGrpcFrame } from './grpc.js';
import { parseH2loadLog, parseH2loadSummary } from './parse-h2load.js';
import { parseWrk } from './parse-wrk.js';
import { runTool } from './procs.js';
import type { RateResult } from './constant-rate.js';
import type { Protocol } from './types.js';

export interface LoadOptions {
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
  readonly threads: number;
  /** Concurrent streams per h2 connection (h2load -m). */
  readonly streams: number;
}

export interface LoadResult {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

const url = (a: Address): string => `http://${a.host}:${a.port}/`;
const slack = (s: number): number => (s + 20) * 1000;

/** `measured` is called when the measured part of a run starts (after the warm-up). */
export async function runWrk(a: Address, o: LoadOptions, measured: () => void = () => {}): Promise<LoadResult> {
  const base = [`-t${o.threads}`, `-c${o.connections}`];
  // wrk has no warm-up phase: a separate short run lets the proxy's JIT and pools settle.
  if (o.warmupS > 0) await runTool('wrk', [...base, `-d${o.warmupS}s`, url(a)], slack(o.warmupS));
  measured();
  const out = await runTool('wrk', [...base, `-d${o.durationS}s`, '--latency', url(a)], slack(o.durationS));
  return parseWrk(out.stdout);
}

/** h2load's arguments for unary gRPC calls: a POST of one framed empty message with gRPC headers. */
export function h2loadGrpcArgs(bodyPath: string): string[] {
  return ['-d', bodyPath, ...Object.entries(GRPC_REQUEST_HEADERS).flatMap(([k, v]) => ['-H', `${k}: ${v}`])];
}

/** h2c GETs, or unary gRPC calls when `grpc` (h2load checks the HTTP status only; probe checks grpc-status). */
export async function runH2load(a: Address, o: LoadOptions, logPath: string, grpc = false, measured: () => void = () => {}): Promise<LoadResult> {
  const args = [`-t${o.threads}`, `-c${o.connections}`, `-m${o.streams}`, `-D${o.durationS}`, `--log-file=${logPath}`];
  if (o.warmupS > 0) args.push(`--warm-up-time=${o.warmupS}`);
  if (grpc) args.push(...h2loadGrpcArgs(writeGrpcFrame(dirname(logPath))));
  // h2load warms up inside the run: the measured part starts warmupS seconds in.
  const timer = setTimeout(measured, o.warmupS * 1000);
  try {
    const out = await runTool('h2load', [...args, grpc ? url(a).replace(/\/$/, GRPC_PATH) : url(a)], slack(o.durationS + o.warmupS));
    const summary = parseH2loadSummary(out.stdout);
    const log = parseH2loadLog(readFileSync(logPath, 'utf8'));
    return { requestsPerSec: summary.requestsPerSec, p50Ms: log.p50Ms, p99Ms: log.p99Ms, errors: summary.errors };
  } finally {
    clearTimeout(timer);
    rmSync(logPath, { force: true });
  }
}

export interface RateLoadOptions {
  readonly rate: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
}

export async function runRate(a: Address, protocol: Protocol, o: RateLoadOptions): Promise<RateResult> {
  const script = fileURLToPath(new URL('./constant-rate.js', import.meta.url));
  const args = [script, '--host', a.host, '--port', String(a.port), '--protocol', protocol, '--rate', String(o.rate)];
  args.push('--duration', String(o.durationS), '--warmup', String(o.warmupS), '--connections', String(o.connections));
  const out = await runTool(process.execPath, args, slack(o.durationS + o.warmupS));
  const last = out.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as RateResult;
  } catch (err) {
    throw new BenchToolError(`constant-rate: unparseable output "${last}"`, { cause: err });
  }
}

/** One request through the target, so a broken path fails loudly instead of benchmarking errors. */
export async function probe(a: Address, protocol: Protocol, timeoutMs = 5000): Promise<void> {
  let cancel: () => void = () => {};
  const status = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      cancel();
      reject(new Error(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    const settle = (s: number): void => {
      clearTimeout(timer);
      cancel();
      resolve(s);
    };
    const fail = (err: Error): void => {
      clearTimeout(timer);
      cancel();
      reject(err);
    };
    if (protocol === 'http1') {
      const req = http.get({ host: a.host, port: a.port, path: '/', agent: false }, (res) => {
        res.resume();
        res.once('end', () => settle(res.statusCode ?? 0));
      });
      req.once('error', fail);
      cancel = () => req.destroy();
      return;
    }
    const session = http2.connect(url(a));
    session.once('error', fail);
    cancel = () => session.destroy();
    const grpc = protocol === 'grpc';
    const req = session.request(grpc ? { ':method': 'POST', ':path': GRPC_PATH, ...GRPC_REQUEST_HEADERS } : { ':path': '/' });
    let code = 0;
    let grpcStatus: string | undefined;
    req.once('response', (h) => (code = Number(h[':status'])));
    req.once('trailers', (h) => (grpcStatus = String(h['grpc-status'])));
    req.resume();
    // A gRPC call succeeds only with grpc-status 0 in the trailers.
    req.once('end', () => settle(grpc && code === 200 && grpcStatus !== '0' ? -1 : code));
    req.once('error', fail);
    req.end(grpc ? GRPC_EMPTY_FRAME : undefined);
  }).catch((err: unknown) => {
    throw new BenchTargetError(`probe ${protocol} ${url(a)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
  if (status !== 200) {
    throw new BenchTargetError(`probe ${protocol} ${url(a)}: ${status === -1 ? 'grpc-status missing or not 0' : `status ${status}`}`);
  }
}
