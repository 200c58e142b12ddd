// Tracks the connections a listener accepted: TCP metrics when they open and close, byte
// counters brought up to date at every scrape (a long-lived connection's traffic shows while it
// lasts, not only when it closes), and the set of live sockets so a graceful shutdown can wait
// for them (then cut the stragglers).
import type { Socket } from 'node:net';
import type { ProxyMetrics, TcpLabels } from '../metrics/registry.js';

interface Tracked {
  readonly labels: TcpLabels;
  /** Bytes already counted. */
  read: number;
  written: number;
}

export class ConnectionTracker {
  private readonly open = new Map<Socket, Tracked>();
  constructor(private readonly metrics: ProxyMetrics) {
    metrics.beforeScrape(() => {
      for (const [s, t] of this.open) this.flush(s, t);
    });
  }

  private flush(s: Socket, t: Tracked): void {
    const read = s.bytesRead;
    const written = s.bytesWritten;
    this.metrics.tcpBytes(t.labels, read - t.read, written - t.written);
    t.read = read;
    t.written = written;
  }

  /** Counts a connection once (a CONNECT tunnel is served again on its socket: not a new one). */
  track(socket: Socket, labels: TcpLabels): void {
    if (this.open.has(socket)) return;
    const t: Tracked = { labels, read: 0, written: 0 };
    this.open.set(socket, t);
    this.metrics.tcpOpened(labels);
    let errno = '';
    socket.on('error', (e: NodeJS.ErrnoException) => {
      errno ||= e.code ?? 'EUNKNOWN';
    });
    socket.once('close', () => {
      this.open.delete(socket);
      this.flush(socket, t);
      this.metrics.tcpClosed(labels, errno);
    });
  }

  get size(): number {
    return this.open.size;
  }

  /** Resolves once every tracked connection has closed, or at the deadline (then destroys them). */
  async waitClosed(deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (this.open.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    for (const s of this.open.keys()) s.destroy();
  }
}
