// Tracks the connections a listener accepted: TCP metrics when they open and close, and the
// set of live sockets so a graceful shutdown can wait for them (then cut the stragglers).
import type { Socket } from 'node:net';
import type { ProxyMetrics, TcpLabels } from '../metrics/registry.js';

export class ConnectionTracker {
  private readonly open = new Set<Socket>();
  constructor(private readonly metrics: ProxyMetrics) {}

  track(socket: Socket, labels: TcpLabels): void {
    this.open.add(socket);
    this.metrics.tcpOpened(labels);
    let errno = '';
    socket.on('error', (e: NodeJS.ErrnoException) => {
      errno ||= e.code ?? 'EUNKNOWN';
    });
    socket.once('close', () => {
      this.open.delete(socket);
      this.metrics.tcpClosed(labels, socket.bytesRead, socket.bytesWritten, errno);
    });
  }

  get size(): number {
    return this.open.size;
  }

  /** Resolves once every tracked connection has closed, or at the deadline (then destroys them). */
  async waitClosed(deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (this.open.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    for (const s of this.open) s.destroy();
  }
}
