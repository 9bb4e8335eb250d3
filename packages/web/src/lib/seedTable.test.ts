import { describe, expect, it } from 'vitest';
import { seedColumn, seedMinutes } from './seedTable.ts';

describe('seed table lookup', () => {
  it('maps the seed scenarios to their published makespan', () => {
    expect(seedMinutes('pro', seedColumn(100, 15, 0))).toBe(42);
    expect(seedMinutes('pro_plus', seedColumn(100, 15, 0.5))).toBe(102);
    expect(seedMinutes('pro', seedColumn(100, 15, 1))).toBe(252);
  });
  it('has no reference for other scenarios', () => {
    expect(seedColumn(50, 15, 0)).toBeNull();
    expect(seedColumn(100, 10, 0)).toBeNull();
    expect(seedMinutes('free', 'all720')).toBeNull();
  });
});
