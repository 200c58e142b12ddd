// A reference for the weft hop (issue 10): the runtime's own HTTP machinery with nothing else —
// node:http with a keep-alive Agent for HTTP/1, node:http2 with one upstream session for h2c
// and gRPC. No routing, metrics, policy or error shaping: what Node's HTTP stacks cost per
// request on this machine, side by side with weft's.
// Two of them with `h2 client|server CERT KEY CA` are the meshed pair's HTTP/2 reference: the
// client relays h2c onto one mutually authenticated TLS 1.3 session to the server, which
// relays to the upstream — weft's h2c and gRPC pair with nothing but node:http2 and node:tls.
// usage: node node-l7.js LISTEN_PORT UPSTREAM_HOST:PORT http1|h2 [client|server CERT KEY CA]
import http from 'node:http';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { announce, ceilingArgs } from './common.js';

const USAGE = 'node-l7.js LISTEN_PORT UPSTREAM_HOST:PORT http1|h2 [client|server CERT KEY CA]';
const { listenPort, upstream, rest } = ceilingArgs(process.argv.slice(2), USAGE);
const [proto, tlsMode, certPath, keyPath, caPath] = rest;
if (tlsMode !== undefined && (proto !== 'h2' || (tlsMode !== 'client' && tlsMode !== 'server') || !certPath || !keyPath || !caPath)) {
  process.stderr.write(`usage: ${USAGE}\n`);
  process.exit(2);
}
const pems = tlsMode ? { cert: readFileSync(certPath ?? ''), key: readFileSync(keyPath ?? ''), ca: readFileSync(caPath ?? ''), minVersion: 'TLSv1.3' as const } : undefined;
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te']);

function endToEnd<T extends Record<string, unknown>>(h: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(h)) if (!HOP.has(k)) out[k] = h[k];
  return out;
}

function http1(): http.Server {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  return http.createServer((req, res) => {
    const up = http.request({ ...upstream, method: req.method, path: req.url, headers: endToEnd(req.headers) as http.OutgoingHttpHeaders, agent }, (ures) => {
      res.writeHead(ures.statusCode ?? 502, endToEnd(ures.headers) as http.OutgoingHttpHeaders);
      ures.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
}

function h2(): http2.Http2Server | http2.Http2SecureServer {
  let session: http2.ClientHttp2Session | undefined;
  const connect = (): http2.ClientHttp2Session => {
    if (session && !session.closed && !session.destroyed) return session;
    session =
      tlsMode === 'client' && pems
        ? http2.connect(`https://${upstream.host}:${upstream.port}`, { ...pems, servername: 'localhost' })
        : http2.connect(`http://${upstream.host}:${upstream.port}`);
    session.on('error', () => {});
    return session;
  };
  const server = tlsMode === 'server' && pems ? http2.createSecureServer({ ...pems, requestCert: true, rejectUnauthorized: true }) : http2.createServer();
  return server.on('stream', (down, headers) => {
    const up = connect().request(endToEnd(headers) as http2.OutgoingHttpHeaders, { endStream: down.readableEnded });
    up.on('response', (h) => {
      if (!down.destroyed) down.respond(endToEnd(h) as http2.OutgoingHttpHeaders, { waitForTrailers: true });
    });
    down.on('wantTrailers', () => down.sendTrailers(trailers ?? {}));
    let trailers: http2.OutgoingHttpHeaders | undefined;
    up.on('trailers', (t) => (trailers = endToEnd(t) as http2.OutgoingHttpHeaders));
    up.pipe(down);
    down.pipe(up);
    up.on('error', () => down.destroy());
    down.on('error', () => up.destroy());
  });
}

(proto === 'h2' ? h2() : http1()).listen(listenPort, '127.0.0.1', () => announce(`node-l7 ${proto ?? 'http1'}${tlsMode ? ` ${tlsMode}` : ''}`, listenPort));
