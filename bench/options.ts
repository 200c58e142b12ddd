// The harness's flags, parsed once into a frozen object.
import { parseArgs } from 'node:util';
import { BenchUsageError } from './errors.js';
import { PROTOCOLS, type Protocol } from './types.js';

export interface BenchOptions {
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
  readonly threads: number;
  readonly streams: number;
  readonly targets: readonly string[];
  readonly protocols: readonly Protocol[];
  /** Constant-rate mode's requests per second; 0 turns it off. */
  readonly rate: number;
  readonly rateDurationS: number;
  readonly rateConnections: number;
  readonly throughput: boolean;
  readonly write: boolean;
  /** Keep the temp dir (configs, logs) for a look afterwards. */
  readonly keep: boolean;
  readonly resultsPath: string;
  readonly pin?: string;
  /** Runtimes the weft proxy is measured on (bench/runtimes.ts). */
  readonly runtimes: readonly string[];
  /** Runs of everything; tables give medians. */
  readonly repeat: number;
  /** The start-to-ready section (proxies with a certificate from a real identity service). */
  readonly startup: boolean;
}

export const USAGE = `usage: npm run bench -- [flags]   (or: node dist/bench/run.js [flags])
  --duration S          seconds of measured load per target and protocol (default 10)
  --connections N       connections (default 50)
  --threads N           wrk/h2load threads (default 2)
  --streams N           h2load concurrent streams per connection, -m (default 10)
  --targets LIST        default: direct,weft-hop,weft-pair,weft-mtls-pair,weft-mtls-pair-h1,weft-mtls-pair-tap,nginx,haproxy,node-tcp-pipe,node-l7,node-tls-pair,node-l7-tls-pair; also weft-hop-trace-1pct,weft-hop-trace-100pct,
                        weft-hop-routes-1,weft-hop-routes-100, weft-hop-routed-cost-off,weft-hop-routed,weft-hop-routed-cost-all (per-route cost)
                        and the policy rows weft-inbound,weft-inbound-authz-0,weft-inbound-authz-10,weft-inbound-authz-100,weft-inbound-authz-100-routes-100
                        (node-*: the proxy runtime's own ceilings — a TCP pipe, bare node:http / node:http2, an mTLS tunnel with no HTTP, two bare node:http2 relays over mTLS)
  --protocols LIST      default http1,h2c,grpc
  --rate N              constant-rate mode at N req/s (default 1000; 0 = off)
  --rate-duration S     seconds of constant-rate load (default: --duration)
  --rate-connections N  connections of the constant-rate generator (default 10)
  --skip-throughput     only the constant-rate mode
  --runtime LIST        what runs the weft proxy: node24 (default: the pinned dependency), node20, bun
  --repeat N            run everything N times (interleaved) and report medians (default 1)
  --no-startup          skip the start-to-ready section
  --pin CPUS            run every proxy (weft, nginx, HAProxy) under taskset -c CPUS
  --quick               2 s runs, for a smoke test
  --no-write            do not append to bench/RESULTS.md
  --keep                keep the temp dir with every config and log
  --results PATH        where to append (default bench/RESULTS.md)`;

export function parseOptions(argv: readonly string[], allTargets: readonly string[], allRuntimes: readonly string[], defaultTargets: readonly string[] = allTargets): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      connections: { type: 'string', default: '50' },
      threads: { type: 'string', default: '2' },
      streams: { type: 'string', default: '10' },
      targets: { type: 'string', default: defaultTargets.join(',') },
      protocols: { type: 'string', default: PROTOCOLS.join(',') },
      rate: { type: 'string', default: '1000' },
      'rate-duration': { type: 'string' },
      'rate-connections': { type: 'string', default: '10' },
      'skip-throughput': { type: 'boolean', default: false },
      pin: { type: 'string' },
      runtime: { type: 'string', default: 'node24' },
      repeat: { type: 'string', default: '1' },
      'no-startup': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      results: { type: 'string', default: 'bench/RESULTS.md' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new BenchUsageError(USAGE);
  const num = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) throw new BenchUsageError(`--${name}: expected a number >= ${min}, got "${v}"`);
    return n;
  };
  const durationS = num('duration', values.duration ?? (values.quick ? '2' : '10'), 1);
  const targets = (values.targets as string).split(',').filter(Boolean);
  for (const t of targets) if (!allTargets.includes(t)) throw new BenchUsageError(`--targets: unknown target "${t}" (known: ${allTargets.join(', ')})`);
  const protocols = (values.protocols as string).split(',').filter(Boolean);
  for (const p of protocols) if (!(PROTOCOLS as readonly string[]).includes(p)) throw new BenchUsageError(`--protocols: unknown "${p}" (known: ${PROTOCOLS.join(', ')})`);
  const runtimes = (values.runtime as string).split(',').filter(Boolean);
  for (const r of runtimes) if (!allRuntimes.includes(r)) throw new BenchUsageError(`--runtime: unknown "${r}" (known: ${allRuntimes.join(', ')})`);
  if (runtimes.length === 0) throw new BenchUsageError('--runtime: name at least one runtime');
  if (values.pin !== undefined && !/^[\d,-]+$/.test(values.pin)) throw new BenchUsageError(`--pin: a CPU list like 1 or 0-1, got "${values.pin}"`);
  return Object.freeze({
    durationS,
    // Enough for a Node proxy's JIT to settle, without doubling the run (wrk and h2load take
    // whole seconds only).
    warmupS: values.quick ? 1 : Math.min(2, Math.max(1, Math.round(durationS / 5))),
    connections: num('connections', values.connections, 1),
    threads: num('threads', values.threads, 1),
    streams: num('streams', values.streams, 1),
    targets,
    protocols: protocols as Protocol[],
    rate: num('rate', values.rate, 0),
    rateDurationS: num('rate-duration', values['rate-duration'] ?? String(durationS), 1),
    rateConnections: num('rate-connections', values['rate-connections'], 1),
    throughput: !values['skip-throughput'],
    write: !values['no-write'],
    keep: values.keep as boolean,
    resultsPath: values.results as string,
    ...(values.pin !== undefined ? { pin: values.pin } : {}),
    runtimes,
    repeat: num('repeat', values.repeat, 1),
    startup: !values['no-startup'],
  });
}
