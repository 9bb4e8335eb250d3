import { describe, expect, it } from 'vitest';
import { relativeTo, seedFastPartMs, seedMakespanMs } from './seedTable.ts';

describe('seed table lookup', () => {
  it('maps the seed scenarios to their published times', () => {
    expect(seedMakespanMs('pro', '720p')).toBe(42 * 60_000);
    expect(seedMakespanMs('pro_plus', '50:50')).toBe(102 * 60_000);
    expect(seedMakespanMs('free', '720p')).toBeNull();
    expect(seedFastPartMs('pro', '50:50')).toBe(22 * 60_000);
    expect(seedFastPartMs('pro', '720p')).toBeNull();
  });
  it('formats the relative difference', () => {
    expect(relativeTo(44 * 60_000, 42 * 60_000)).toBe('+5%');
    expect(relativeTo(38 * 60_000, 42 * 60_000)).toBe('-10%');
    expect(relativeTo(null, 1)).toBe('—');
  });
});
