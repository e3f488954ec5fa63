/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same numbers on every
 * machine and Node version, which makes k-means fits reproducible. Not for cryptography.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636, every time
 * ```
 */

/** A function returning numbers in [0, 1) from the 32-bit `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
