import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { shapedChunks } from './executor.ts';

test.prop([fc.array(fc.nat(), { maxLength: 2_000 }), fc.integer({ min: 1, max: 600 })])(
  'shapedChunks keeps every item in order, in parts of power-of-two sizes up to max, largest first',
  (items, max) => {
    const parts = shapedChunks(items, max);
    expect(parts.flat()).toEqual(items);
    for (const [i, part] of parts.entries()) {
      expect(part.length).toBeLessThanOrEqual(max);
      expect(Number.isInteger(Math.log2(part.length))).toBe(true);
      if (i > 0) expect(part.length).toBeLessThanOrEqual(parts[i - 1]!.length);
    }
    // The point: few statement shapes whatever the row count.
    expect(new Set(parts.map((p) => p.length)).size).toBeLessThanOrEqual(Math.floor(Math.log2(max)) + 1);
  },
);
