// A real Jaeger (built from Go modules by test/tracing/build-jaeger.sh into ~/.cache/weft/jaeger)
// with in-memory storage, its OTLP/HTTP receiver and query API on ports the OS picked, for the
// tracing tests. Tests skip with a reason when it is not built, unless WEFT_JAEGER_REQUIRED.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './http-load.js';
import { reapWithTest } from './reaper.js';

const VERSION = process.env.WEFT_JAEGER_VERSION ?? 'v1.75.0';
export const JAEGER_BIN = join(process.env.WEFT_JAEGER_CACHE ?? join(homedir(), '.cache/weft/jaeger'), VERSION, 'bin/jaeger');

export function noJaeger(): string | false {
  if (existsSync(JAEGER_BIN)) return false;
  const why = `no Jaeger at ${JAEGER_BIN}: run test/tracing/build-jaeger.sh (.ci/run does)`;
  if (process.env.WEFT_JAEGER_REQUIRED) throw new Error(why);
  return why;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Jaeger {
  /** host:port of the OTLP/HTTP receiver. */
  readonly otlp: string;
  /** Base URL of the query API (/api/traces, /api/services). */
  readonly query: string;
}

export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: readonly { refType: string; spanID: string; traceID: string }[];
  readonly tags: readonly { key: string; value: unknown }[];
  readonly processID: string;
}
export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { serviceName: string; tags?: readonly { key: string; value: unknown }[] }>>;
}

export async function startJaeger(t: { after(fn: () => void | Promise<void>): void }): Promise<Jaeger> {
  const [otlp, query, grpc, health] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'weft-jaeger-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${health}
  jaeger_query:
    storage:
      traces: mem
    http:
      endpoint: 127.0.0.1:${query}
    grpc:
      endpoint: 127.0.0.1:${grpc}
  jaeger_storage:
    backends:
      mem:
        memory:
          max_traces: 10000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: mem
`);
  const child = spawn(JAEGER_BIN, ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  reapWithTest(child);
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  t.after(async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    if (child.exitCode === null) await exited;
    clearTimeout(kill);
    rmSync(dir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${query}`;
  await until('jaeger answers', async () => {
    if (child.exitCode !== null) throw new Error(`jaeger exited (${child.exitCode}):\n${log}`);
    return fetch(`${base}/api/services`).then((r) => r.ok, () => false);
  }, 30_000);
  return { otlp: `127.0.0.1:${otlp}`, query: base };
}

export async function getTrace(j: Jaeger, traceId: string): Promise<JaegerTrace | undefined> {
  const r = await fetch(`${j.query}/api/traces/${traceId}`);
  if (!r.ok) return undefined;
  return ((await r.json()) as { data?: JaegerTrace[] }).data?.[0];
}
