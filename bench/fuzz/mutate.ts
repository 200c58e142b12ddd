// Input generation for the fuzz targets: a seeded PRNG (mulberry32, so any failure replays
// from its seed) and mutations of valid seeds — bit flips, byte inserts and deletes, splices
// of the tokens parsers care about (CR, LF, colon, space, NUL, "chunked", digits), repeats and
// truncations — plus plain random bytes.

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['\r\n', '\n', '\r', ':', ' ', '\t', '\0', ',', ';', 'chunked', 'Content-Length: ', 'Transfer-Encoding: ', '0\r\n\r\n', 'ffffffffffffffffff', '-1', '\x7f', '\xff', 'HTTP/1.1', '\r\n\r\n'].map((t) => Buffer.from(t, 'latin1'));

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

/** One mutated copy of `seed` (1-4 mutations). */
export function mutate(rng: Rng, seed: Buffer, maxLen = 4096): Buffer {
  let b = Buffer.from(seed);
  const rounds = 1 + int(rng, 4);
  for (let r = 0; r < rounds; r++) {
    const at = b.length === 0 ? 0 : int(rng, b.length);
    switch (int(rng, 7)) {
      case 0: // flip a bit
        if (b.length > 0) b[at] = (b[at] as number) ^ (1 << int(rng, 8));
        break;
      case 1: // random byte
        if (b.length > 0) b[at] = int(rng, 256);
        break;
      case 2: // insert a token
        b = Buffer.concat([b.subarray(0, at), TOKENS[int(rng, TOKENS.length)] as Buffer, b.subarray(at)]);
        break;
      case 3: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(rng, 8)))]);
        break;
      case 4: // repeat a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + 1 + int(rng, 32)), b.subarray(at)]);
        break;
      case 5: // truncate
        b = b.subarray(0, at);
        break;
      default: // splice random bytes
        b = Buffer.concat([b.subarray(0, at), randomBytes(rng, 1 + int(rng, 16)), b.subarray(at)]);
    }
  }
  return b.length > maxLen ? b.subarray(0, maxLen) : b;
}

export function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(rng, 256);
  return b;
}

/** A generated input: usually a mutated seed, sometimes plain random bytes. */
export function generate(rng: Rng, seeds: readonly Buffer[]): Buffer {
  if (rng() < 0.1) return randomBytes(rng, int(rng, 512));
  return mutate(rng, seeds[int(rng, seeds.length)] as Buffer);
}
