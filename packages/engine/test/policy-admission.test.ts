import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { calculateActualConcurrency, getBatchConfig } from '../src/config/plans.ts';
import { classWeight, fitsCapacity, underProviderCap } from '../src/policy/admission.ts';

const pro = getBatchConfig('pro');
const weightOf = (resolution: string, durationSec: number) =>
  classWeight(calculateActualConcurrency(pro, 'sora-2-pro', resolution, durationSec));

describe('weighted-capacity admission', () => {
  it('classWeight is 1/actual', () => {
    expect(classWeight(3)).toBe(1 / 3);
    expect(classWeight(2)).toBe(0.5);
    expect(classWeight(1)).toBe(1);
  });

  it('three tasks of weight 1/3 fit, a fourth does not', () => {
    const w = 1 / 3;
    let used = 0;
    for (let i = 0; i < 3; i++) {
      expect(fitsCapacity(used, w)).toBe(true);
      used += w;
    }
    // float: 1/3 + 1/3 + 1/3 is exactly 1 or a hair off; either way the three fit and a fourth must not
    expect(used).toBeCloseTo(1, 12);
    expect(fitsCapacity(used, w)).toBe(false);
  });

  it('pro all-720p/15 s: exactly 3 at once; all-1080p/15 s: exactly 2; all-720p/10 s: exactly 4', () => {
    const admitted = (w: number) => {
      let used = 0;
      let n = 0;
      while (fitsCapacity(used, w)) {
        used += w;
        n++;
        if (n > 100) break;
      }
      return n;
    };
    expect(admitted(weightOf('720p', 15))).toBe(3);
    expect(admitted(weightOf('1080p', 15))).toBe(2);
    expect(admitted(weightOf('720p', 10))).toBe(4);
    expect(admitted(classWeight(7))).toBe(7);
    expect(admitted(classWeight(13))).toBe(13);
  });

  it('1080p (1/2) + 720p (1/3) on pro: 1/6 free, no room for another 1/3 or 1/2, the sum stays <= 1', () => {
    const w1080 = weightOf('1080p', 15);
    const w720 = weightOf('720p', 15);
    expect(w1080).toBe(1 / 2);
    expect(w720).toBe(1 / 3);
    expect(fitsCapacity(0, w1080)).toBe(true);
    expect(fitsCapacity(w1080, w720)).toBe(true);
    const used = w1080 + w720;
    expect(used).toBeLessThanOrEqual(1);
    expect(1 - used).toBeCloseTo(1 / 6, 12);
    expect(fitsCapacity(used, w720)).toBe(false);
    expect(fitsCapacity(used, w1080)).toBe(false);
    expect(fitsCapacity(used, weightOf('720p', 10))).toBe(false); // 1/4 > 1/6
    expect(fitsCapacity(used, 1 / 6)).toBe(true); // exactly the free share fits
  });

  it('a task of weight 1 fits only into an empty pool', () => {
    expect(fitsCapacity(0, 1)).toBe(true);
    expect(fitsCapacity(1e-6, 1)).toBe(false);
  });

  test.prop([fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 200 })])(
    'greedily admitting random class weights never exceeds 1 (+1e-9)',
    (actuals) => {
      let used = 0;
      let admitted = 0;
      for (const a of actuals) {
        const w = classWeight(a);
        if (fitsCapacity(used, w)) {
          used += w;
          admitted++;
        }
        expect(used).toBeLessThanOrEqual(1 + 1e-9);
      }
      // the first task always fits an empty pool
      expect(admitted).toBeGreaterThanOrEqual(1);
    },
  );

  test.prop([fc.integer({ min: 1, max: 50 })])('n tasks of weight 1/n fit, n + 1 do not', (n) => {
    const w = classWeight(n);
    let used = 0;
    for (let i = 0; i < n; i++) {
      expect(fitsCapacity(used, w)).toBe(true);
      used += w;
    }
    expect(fitsCapacity(used, w)).toBe(false);
  });

  test.prop([fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })])(
    'fitsCapacity is exactly "sum <= 1 + 1e-9"',
    (used, w) => {
      expect(fitsCapacity(used, w)).toBe(used + w <= 1 + 1e-9);
    },
  );
});

describe('provider cap', () => {
  it('room while running < maxRunning', () => {
    expect(underProviderCap(0, 100)).toBe(true);
    expect(underProviderCap(99, 100)).toBe(true);
    expect(underProviderCap(100, 100)).toBe(false);
    expect(underProviderCap(101, 100)).toBe(false);
    expect(underProviderCap(0, 1)).toBe(true);
  });
});
