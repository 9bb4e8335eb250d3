import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { deriveSeed, Rng, streamFor } from '../src/rng.ts';

describe('seeded streams', () => {
  it('same seed and key give the same sequence; different keys differ', () => {
    const a = streamFor(7, 'latency/t1#1');
    const b = streamFor(7, 'latency/t1#1');
    const c = streamFor(7, 'latency/t2#1');
    const xs = [a.float(), a.float(), a.float()];
    expect([b.float(), b.float(), b.float()]).toEqual(xs);
    expect(c.float()).not.toBe(xs[0]);
    expect(deriveSeed(1, 'x')).not.toBe(deriveSeed(2, 'x'));
  });

  test.prop([fc.integer(), fc.string(), fc.string()])('a name given in two parts hashes as the joined name', (seed, key, tail) => {
    expect(deriveSeed(seed, key, tail)).toBe(deriveSeed(seed, key + tail));
  });

  it('draws stay in range and the log-normal median is near its parameter', () => {
    const rng = new Rng(42);
    const draws = Array.from({ length: 2_001 }, () => rng.logNormal(100, 0.1)).sort((x, y) => x - y);
    expect(draws[1_000]!).toBeGreaterThan(97);
    expect(draws[1_000]!).toBeLessThan(103);
    for (let i = 0; i < 1_000; i++) {
      const x = rng.between(3, 5);
      expect(x).toBeGreaterThanOrEqual(3);
      expect(x).toBeLessThan(5);
    }
  });
});
