// "Where was this connection going?" — the outbound stack asks an OriginalDst for every
// accepted connection. Implementations: a static default (tests, explicit proxy mode) and
// SO_ORIGINAL_DST via the native addon (transparent interception, see so-original-dst.ts).
// The stacks only see this interface, so interception plugs in without touching them.
import type { Socket } from 'node:net';
import type { Address } from '../../lib/address.js';

export interface OriginalDst {
  /** The destination the client connected to, or undefined when it cannot be known. */
  lookup(socket: Socket): Address | undefined;
}

/** Every connection is taken to be headed for one fixed address (or nowhere). */
export class StaticOriginalDst implements OriginalDst {
  constructor(private readonly addr: Address | undefined) {}
  lookup(_socket: Socket): Address | undefined {
    return this.addr;
  }
}

/** Tries each source in order; the first answer wins. */
export class ChainedOriginalDst implements OriginalDst {
  constructor(private readonly sources: readonly OriginalDst[]) {}
  lookup(socket: Socket): Address | undefined {
    for (const s of this.sources) {
      const a = s.lookup(socket);
      if (a) return a;
    }
    return undefined;
  }
}
