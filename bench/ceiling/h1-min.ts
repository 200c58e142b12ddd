// A ceiling for the weft HTTP/1 hop (issue 10): the least an HTTP/1 proxy on this runtime must
// do, and nothing else. It finds each request head's end and its Content-Length, writes the head
// bytes unchanged to a pooled keep-alive upstream connection, finds the response head's end and
// Content-Length, relays that many body bytes and returns the connection to the pool. No header
// is validated, rewritten or counted; no timers, no routing, no metrics. Chunked bodies,
// pipelining and errors are out of scope (the bench's load has none): this program only
// measures, it is not a proxy anyone should run.
// usage: node h1-min.js LISTEN_PORT UPSTREAM_HOST:PORT
import net from 'node:net';
import { announce, ceilingArgs } from './common.js';

const { listenPort, upstream } = ceilingArgs(process.argv.slice(2), 'h1-min.js LISTEN_PORT UPSTREAM_HOST:PORT');

const CRLF2 = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

/** Content-Length of a head (0 when absent): the one framing fact a bodied exchange needs. */
function contentLength(head: Buffer, end: number): number {
  const text = head.toString('latin1', 0, end).toLowerCase();
  const at = text.indexOf('\r\ncontent-length:');
  return at < 0 ? 0 : parseInt(text.slice(at + 17, text.indexOf('\r\n', at + 17)), 10);
}

/** One upstream keep-alive connection: carries one exchange at a time. */
class Upstream {
  readonly socket = net.connect({ ...upstream, noDelay: true });
  private buf: Buffer = EMPTY;
  private left = -1; // body bytes still to relay; -1 while reading the head
  client: net.Socket | undefined;

  constructor() {
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', () => this.client?.destroy());
    this.socket.on('close', () => {
      const i = pool.indexOf(this);
      if (i >= 0) pool.splice(i, 1);
    });
  }

  send(head: Buffer, client: net.Socket, done: () => void): void {
    this.client = client;
    this.done = done;
    this.left = -1;
    this.socket.write(head);
  }

  private done: () => void = () => {};

  private onData(chunk: Buffer): void {
    const client = this.client;
    if (!client) return;
    if (this.left < 0) {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      const end = this.buf.indexOf(CRLF2);
      if (end < 0) return;
      this.left = contentLength(this.buf, end + 4) - (this.buf.length - end - 4);
      chunk = this.buf;
      this.buf = EMPTY;
    } else {
      this.left -= chunk.length;
    }
    client.write(chunk);
    if (this.left <= 0) {
      this.client = undefined;
      pool.push(this);
      this.done();
    }
  }
}

const pool: Upstream[] = [];

function serve(client: net.Socket): void {
  let buf: Buffer = EMPTY;
  let busy = false;
  const next = (): void => {
    busy = false;
    if (buf.length > 0) onData(EMPTY);
  };
  const onData = (chunk: Buffer): void => {
    buf = buf.length === 0 ? chunk : chunk.length === 0 ? buf : Buffer.concat([buf, chunk]);
    if (busy) return;
    const end = buf.indexOf(CRLF2);
    if (end < 0) return;
    const total = end + 4 + contentLength(buf, end + 4);
    if (buf.length < total) return;
    const head = total === buf.length ? buf : buf.subarray(0, total);
    buf = total === buf.length ? EMPTY : buf.subarray(total);
    busy = true;
    (pool.pop() ?? new Upstream()).send(head, client, next);
  };
  client.on('data', onData);
  client.on('error', () => client.destroy());
}

net.createServer({ noDelay: true }, serve).listen(listenPort, '127.0.0.1', () => announce('h1-min', listenPort));
