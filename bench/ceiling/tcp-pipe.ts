// A ceiling for the weft hop (issue 10): the runtime's own byte path. A TCP proxy that parses
// nothing: each accepted connection is piped to a new connection to the upstream. Whatever an L7
// hop on this runtime does, it cannot move bytes cheaper than this.
// usage: node tcp-pipe.js LISTEN_PORT UPSTREAM_HOST:PORT
import net from 'node:net';
import { announce, ceilingArgs, pipeBoth } from './common.js';

const { listenPort, upstream } = ceilingArgs(process.argv.slice(2), 'tcp-pipe.js LISTEN_PORT UPSTREAM_HOST:PORT');

net
  .createServer({ noDelay: true }, (client) => pipeBoth(client, net.connect({ ...upstream, noDelay: true })))
  .listen(listenPort, '127.0.0.1', () => announce('tcp-pipe', listenPort));
