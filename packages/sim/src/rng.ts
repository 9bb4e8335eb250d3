import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * Seeded randomness for the simulator. Every decision draws from a stream derived from
 * (run seed, a stable key such as "latency/<task>#<attempt>"), never from one shared stream:
 * that way a task's fate does not depend on the order in which the engine happens to call.
 */
export class Rng {
  private readonly gen: RandomGenerator;

  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** Standard normal (Box-Muller; one value per call keeps streams simple to reason about). */
  normal(): number {
    const u = 1 - this.float(); // (0, 1]: log(0) is never taken
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape sigma (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}

/**
 * FNV-1a over the key, mixed with the seed: a stable 32-bit sub-seed (hashing, not random generation).
 * `deriveSeed(s, 'task/', key)` equals `deriveSeed(s, 'task/' + key)`, without building the joined string.
 */
export function deriveSeed(seed: number, key: string, tail = ''): number {
  let h = (0x811c9dc5 ^ (seed | 0)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  for (let i = 0; i < tail.length; i++) {
    h ^= tail.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche so that keys differing in one character give unrelated seeds.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h | 0;
}

/** A fresh stream for one named decision: the name is `key + tail` (a prefix and an id, say). */
export function streamFor(seed: number, key: string, tail = ''): Rng {
  return new Rng(deriveSeed(seed, key, tail));
}

/** A `() => number` in [0,1) for APIs that take a random source (e.g. the engine's retry jitter). */
export function randomSource(seed: number, key: string): () => number {
  const rng = streamFor(seed, key);
  return () => rng.float();
}
