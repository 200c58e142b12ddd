// What the ceiling programs share: their command line (`LISTEN_PORT UPSTREAM_HOST:PORT [more…]`)
// and the byte pipe.
// They are run by the bench (bench/ceilings.ts), never by hand, so a mistake only needs to be
// loud: a message and exit status 2.
import type { Duplex } from 'node:stream';
import { parseAddress, type Address } from '../../src/lib/address.js';

export interface CeilingArgs {
  readonly listenPort: number;
  readonly upstream: Address;
  readonly rest: readonly string[];
}

export function ceilingArgs(argv: readonly string[], usage: string): CeilingArgs {
  const [listen, upstream, ...rest] = argv;
  const listenPort = Number(listen);
  try {
    if (!Number.isInteger(listenPort) || listenPort <= 0) throw new Error(`invalid listen port "${listen ?? ''}"`);
    return { listenPort, upstream: parseAddress(upstream ?? ''), rest };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: ${usage}\n`);
    process.exit(2);
  }
}

/** Says the listener is up on stdout (the bench waits for the port itself; this is for the log). */
export function announce(name: string, port: number): void {
  process.stdout.write(`${name} listening on 127.0.0.1:${port}\n`);
}

/** Bytes both ways between two sockets; either side's error ends both. */
export function pipeBoth(a: Duplex, b: Duplex): void {
  a.pipe(b).pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
}
