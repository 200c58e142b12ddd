// A ceiling for the meshed pair (issue 10): two of these make an mTLS tunnel with no HTTP in it.
// `client` accepts plain TCP and carries each connection over its own mutually authenticated
// TLS 1.3 connection (ECDSA P-256 certificates from one CA, as the mesh's); `server` terminates
// that TLS, checks the client's certificate, and pipes to the upstream. The pair's cost is then
// the runtime's TLS record path and nothing else: weft's pair cannot be cheaper than this.
// usage: node tls-pipe.js LISTEN_PORT UPSTREAM_HOST:PORT client|server CERT KEY CA
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { announce, ceilingArgs, pipeBoth } from './common.js';

const USAGE = 'tls-pipe.js LISTEN_PORT UPSTREAM_HOST:PORT client|server CERT KEY CA';
const { listenPort, upstream, rest } = ceilingArgs(process.argv.slice(2), USAGE);
const [mode, cert, key, ca] = rest;
if ((mode !== 'client' && mode !== 'server') || !cert || !key || !ca) {
  process.stderr.write(`usage: ${USAGE}\n`);
  process.exit(2);
}
const pems = { cert: readFileSync(cert), key: readFileSync(key), ca: readFileSync(ca), minVersion: 'TLSv1.3' } as const;
// One context for every outgoing connection (a context per connect costs a quarter of the
// handshake rate); the server builds its own once from the same files.
const context = tls.createSecureContext(pems);

const server =
  mode === 'client'
    ? net.createServer({ noDelay: true }, (plain) => pipeBoth(plain, tls.connect({ ...upstream, secureContext: context, servername: 'localhost' }).setNoDelay(true)))
    : tls.createServer({ ...pems, requestCert: true, rejectUnauthorized: true, noDelay: true }, (secure) => pipeBoth(secure, net.connect({ ...upstream, noDelay: true })));
server.listen(listenPort, '127.0.0.1', () => announce(`tls-pipe ${mode}`, listenPort));
