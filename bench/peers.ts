// nginx and HAProxy, as the backend and as peer proxies. Each instance gets generated config in
// its own directory (pid file, temp paths, logs there; nothing system-wide) and runs in the
// foreground so the harness owns it. Peers are limited to one worker / one thread.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { formatAddress, type Address } from '../src/lib/address.js';
import { freePort, startProcess, stopProcess, tcpOpen, waitUntil, type Proc } from './procs.js';
import { GRPC_PATH, GRPC_REPLY_FILE, writeGrpcFrame } from './grpc.js';
import type { Protocol } from './types.js';

/** Enough idle upstream connections for the load's concurrency (nginx's grpc proxy does not multiplex). */
const UPSTREAM_KEEPALIVE = 1024;

function nginxMain(dir: string, workers: number, http: string): string {
  // As root, nginx would switch its workers to "nobody"; keep the current user instead.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : '';
  return `${user}worker_processes ${workers};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  keepalive_requests 10000000;
  keepalive_timeout 120s;
${http}}
`;
}

/**
 * The backend: a 3-byte 200 on HTTP/1.1 and on h2c (prior knowledge; nginx 1.22 needs a separate
 * port), and on the h2c port a unary gRPC reply: the POST is turned into an internal GET of a
 * file holding an empty framed message (written by writeGrpcFrame into `dir`), with grpc-status 0
 * as a trailer.
 */
export function nginxBackendConf(dir: string, ports: { readonly http1: number; readonly h2c: number }, workers = 1): string {
  return nginxMain(
    dir,
    workers,
    `  server { listen 127.0.0.1:${ports.http1}; location / { return 200 "ok\\n"; } }
  server {
    listen 127.0.0.1:${ports.h2c} http2;
    location / { return 200 "ok\\n"; }
    location = ${GRPC_PATH} { error_page 405 =200 /grpc-reply; return 405; }
    location = /grpc-reply {
      internal; root ${dir}; try_files /${GRPC_REPLY_FILE} =500;
      default_type application/grpc; add_trailer grpc-status 0; add_trailer grpc-message "";
    }
  }
`,
  );
}

/**
 * nginx as one reverse-proxy hop. HTTP/1.1 upstream with keep-alive for http1; for h2c and grpc,
 * grpc_pass (nginx's only HTTP/2 upstream client; it works for plain requests too) so that h2c
 * stays h2c end to end as it does through weft and HAProxy.
 */
export function nginxProxyConf(dir: string, listenPort: number, protocol: Protocol, upstream: Address): string {
  const up = formatAddress(upstream);
  const server =
    protocol === 'http1'
      ? `  server { listen 127.0.0.1:${listenPort}; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n`
      : `  server { listen 127.0.0.1:${listenPort} http2; location / { grpc_pass grpc://up; } }\n`;
  return nginxMain(dir, 1, `  upstream up { server ${up}; keepalive ${UPSTREAM_KEEPALIVE}; }\n${server}`);
}

/** HAProxy as one hop: one thread, connection reuse always; h2 to the server for h2c and grpc. */
export function haproxyConf(listenPort: number, protocol: Protocol, upstream: Address): string {
  return `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:${listenPort}
  default_backend be
backend be
  server s1 ${formatAddress(upstream)}${protocol === 'http1' ? '' : ' proto h2'}
`;
}

export async function startNginx(name: string, dir: string, conf: string, ports: readonly number[], pin?: string): Promise<Proc> {
  const path = join(dir, 'nginx.conf');
  writeFileSync(path, conf);
  const proc = startProcess(name, 'nginx', ['-p', dir, '-c', path, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
    logPath: join(dir, 'stdout.log'),
    ...(pin ? { pin } : {}),
  });
  await ready(name, proc, ports);
  return proc;
}

/** The bench's backend: nginx on two free ports (HTTP/1.1; h2c, which also answers gRPC) with its files in `dir`. */
export async function startNginxBackend(dir: string): Promise<{ readonly proc: Proc; readonly ports: { readonly http1: number; readonly h2c: number } }> {
  const ports = { http1: await freePort(), h2c: await freePort() };
  writeGrpcFrame(dir);
  const proc = await startNginx('backend', dir, nginxBackendConf(dir, ports), [ports.http1, ports.h2c]);
  return { proc, ports };
}

export async function startHaproxy(name: string, dir: string, conf: string, port: number, pin?: string): Promise<Proc> {
  const path = join(dir, 'haproxy.cfg');
  writeFileSync(path, conf);
  const proc = startProcess(name, 'haproxy', ['-db', '-f', path], { logPath: join(dir, 'stdout.log'), ...(pin ? { pin } : {}) });
  await ready(name, proc, [port]);
  return proc;
}

async function ready(name: string, proc: Proc, ports: readonly number[]): Promise<void> {
  try {
    for (const port of ports) await waitUntil(`${name} on :${port}`, () => tcpOpen(port), 10_000, proc);
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
}
