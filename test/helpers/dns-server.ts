// A small authoritative DNS server over UDP (RFC 1035) for tests: A records with a TTL per
// name, NXDOMAIN for other names, and a count of the queries each name received. Real packets
// on a real socket, so the proxy's resolver (c-ares) talks to it as to any server.
import dgram from 'node:dgram';

export interface DnsServer {
  readonly port: number;
  /** Sets (or replaces) a name's A records and TTL in seconds. */
  set(name: string, addrs: readonly string[], ttlSeconds: number): void;
  /** Queries received per (lower-case) name. */
  queries(name: string): number;
  close(): Promise<void>;
}

/** Reads the question name at `off`; returns it and the offset after it. */
function readName(msg: Buffer, off: number): [string, number] {
  const labels: string[] = [];
  while (off < msg.length) {
    const len = msg[off] as number;
    off++;
    if (len === 0) break;
    labels.push(msg.subarray(off, off + len).toString('latin1'));
    off += len;
  }
  return [labels.join('.').toLowerCase(), off];
}

export async function startDnsServer(): Promise<DnsServer> {
  const records = new Map<string, { addrs: readonly string[]; ttl: number }>();
  const counts = new Map<string, number>();
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const [name, end] = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const question = msg.subarray(12, end + 4);
    const rec = records.get(name);
    const answers = rec && qtype === 1 ? rec.addrs : [];
    const head = Buffer.alloc(12);
    head.writeUInt16BE(msg.readUInt16BE(0), 0); // id
    // QR, opcode 0, AA, RD copied; RA; rcode 3 (NXDOMAIN) for unknown names.
    head.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | 0x0080 | (rec ? 0 : 3), 2);
    head.writeUInt16BE(1, 4);
    head.writeUInt16BE(answers.length, 6);
    const rrs = answers.map((a) => {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
      rr.writeUInt16BE(1, 2); // A
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(rec?.ttl ?? 0, 6);
      rr.writeUInt16BE(4, 10);
      a.split('.').forEach((o, i) => (rr[12 + i] = Number(o)));
      return rr;
    });
    sock.send(Buffer.concat([head, question, ...rrs]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return {
    port: sock.address().port,
    set: (name, addrs, ttl) => void records.set(name.toLowerCase(), { addrs, ttl }),
    queries: (name) => counts.get(name.toLowerCase()) ?? 0,
    close: () => new Promise((r) => sock.close(() => r())),
  };
}
