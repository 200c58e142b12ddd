// Randomness for the demo, injected so tests are deterministic: `Math.random` in production,
// a seeded generator in tests.

/** Returns a number in [0, 1). */
export type Rng = () => number;

/** mulberry32: a small seeded generator, good enough for failure injection and load mixes. */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
